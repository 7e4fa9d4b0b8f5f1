import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The fuzz campaigns' shared parts: a seeded PRNG (each input is generated from its own seed, so one failure replays
 * alone with FUZZ_SEED), the real fixtures to mutate, the mutations, and what counts as a crash. Test code only
 * (excluded from the build).
 */

/** mulberry32: a small, fast 32-bit PRNG; the same seed gives the same sequence on every platform. */
export class Rng {
  private state: number;
  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** The seed of input `i` of a campaign: FUZZ_SEED replays from there, so a printed seed reproduces one input. */
export function campaignSeeds(name: string, runs: number): number[] {
  const fixed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
  if (fixed !== undefined && Number.isFinite(fixed)) return [fixed];
  // A base per campaign (not per run): the same inputs every run, so CI failures reproduce locally.
  let base = 0x811c9dc5;
  for (const c of name) base = Math.imul(base ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return Array.from({ length: runs }, (_, i) => (base + i * 0x9e3779b1) >>> 0);
}

/** How many inputs a campaign runs: its default, or FUZZ_RUNS for a longer one. */
export function campaignRuns(defaultRuns: number): number {
  const runs = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(runs) && runs > 0 ? runs : defaultRuns;
}

export function listFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) =>
    e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );
}

export interface Fixture {
  file: string;
  text: string;
}

/** Every fixture under the given directories whose name matches, read once. */
export function readFixtures(dirs: string[], pattern: RegExp): Fixture[] {
  return dirs
    .flatMap((d) => listFiles(d))
    .filter((f) => pattern.test(f))
    .sort()
    .map((file) => ({ file, text: readFileSync(file, 'utf8') }));
}

/** Keys that reach Object.prototype or shadow its methods when a parser assigns them naively. */
export const PROTOTYPE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  'isPrototypeOf',
];

/** Text that often breaks escaping, decoding or terminal output. */
export const HOSTILE_STRINGS = [
  '\u0000',
  '\u001b[31m',
  '\u001b]0;title\u0007',
  '\r\n',
  '\u2028',
  '\u202e',
  '\ud800',
  '\udfff',
  '\uFFFD',
  '\uFEFF',
  '\\u0000',
  '\\ud800',
  '\\x00',
  '\\',
  '"',
  "'",
  '${',
  '%{',
  '${jsonencode(',
  '{{ .Values.x }}',
  '*',
  '**',
  '?',
  '../../../../etc/passwd',
  'arn:aws:iam::*:role/*',
  'arn:aws-cn:iam::123456789012:role/x',
  'arn:aws-us-gov:elasticfilesystem:us-gov-west-1:123456789012:file-system/fs-1',
  'arn:aws:iam::123456789012:role/a\nb',
  'fs-0123456789abcdef0; rm -rf /',
  '$(id)',
  '`id`',
  '1e999',
  '-0',
  'NaN',
  'Infinity',
  '0x1F',
  '9007199254740993',
  '!Ref',
  '!GetAtt x',
  '&anchor',
  '*alias',
  '<<',
  '%TAG ! tag:x,2000:',
];

/** Syntax characters of JSON, YAML and HCL. */
export const SYNTAX = [
  '{',
  '}',
  '[',
  ']',
  ':',
  ',',
  '"',
  "'",
  '- ',
  '&a ',
  '*a',
  '!',
  '!!binary ',
  '|',
  '>',
  '#',
  '\n',
  '\n  ',
  '\t',
  ' ',
  '\\',
  '<<: ',
  '---\n',
  '...\n',
  '${',
  '%',
  '@',
  '`',
  '=',
  '(',
  ')',
  '<<EOF\n',
];

/** A huge value: long enough to find quadratic code, short enough for thousands of runs. */
export function hugeString(rng: Rng, max = 300_000): string {
  const unit = rng.pick(['x', 'ab', '\\', '"', ' ', '\u00e9', '\ud83d\ude00', '${a}', '*', ':']);
  return unit.repeat(rng.int(Math.min(10_000, max), max) / unit.length);
}

/** Limits of the mutations: a campaign whose parser is slow per byte keeps huge strings smaller. */
export interface MutationLimits {
  hugeMax?: number;
}

/** One text-level mutation of `text`. */
export function mutateText(
  rng: Rng,
  text: string,
  limits: MutationLimits = {},
): { text: string; how: string } {
  const at = () => rng.int(0, text.length);
  switch (rng.int(0, 11)) {
    case 0: {
      const i = at();
      return { text: text.slice(0, i), how: `truncated at ${i}` };
    }
    case 1: {
      // byte flips: replace a few characters by random code units (lone surrogates included)
      let out = text;
      const n = rng.int(1, 8);
      for (let k = 0; k < n; k++) {
        const i = rng.int(0, Math.max(0, out.length - 1));
        const code = rng.chance(0.7) ? rng.int(0, 0x7f) : rng.int(0, 0xffff);
        out = out.slice(0, i) + String.fromCharCode(code) + out.slice(i + 1);
      }
      return { text: out, how: `${n} character flips` };
    }
    case 2: {
      let out = text;
      const n = rng.int(1, 6);
      for (let k = 0; k < n; k++) {
        const i = rng.int(0, out.length);
        out = out.slice(0, i) + rng.pick(SYNTAX) + out.slice(i);
      }
      return { text: out, how: `${n} syntax insertions` };
    }
    case 3: {
      const i = at();
      const j = Math.min(text.length, i + rng.int(1, 200));
      return { text: text.slice(0, i) + text.slice(j), how: `deleted ${i}..${j}` };
    }
    case 4: {
      const i = at();
      const piece = text.slice(i, i + rng.int(1, 120));
      const times = rng.int(2, 60);
      return {
        text: text.slice(0, i) + piece.repeat(times) + text.slice(i),
        how: `repeated ${times}x at ${i}`,
      };
    }
    case 5: {
      const i = at();
      const h = hugeString(rng, limits.hugeMax);
      return { text: text.slice(0, i) + h + text.slice(i), how: `huge string (${h.length}) at ${i}` };
    }
    case 6: {
      const i = at();
      const s = rng.pick(HOSTILE_STRINGS);
      return { text: text.slice(0, i) + s + text.slice(i), how: `hostile ${JSON.stringify(s)} at ${i}` };
    }
    case 7: {
      // a key renamed to a prototype key (JSON `"Key":`, YAML `key:`)
      // searched in a window: the pattern backtracks quadratically over a huge run of word characters
      const from = rng.int(0, Math.max(0, text.length - 4000));
      const keys = [...text.slice(from, from + 4000).matchAll(/("?)([A-Za-z_][\w.-]{0,60})\1\s*:/g)];
      if (keys.length === 0) return { text: text + '\n__proto__: {}\n', how: 'a __proto__ key appended' };
      const m = rng.pick(keys);
      const key = rng.pick(PROTOTYPE_KEYS);
      const i = from + m.index;
      return {
        text: text.slice(0, i) + `${m[1]}${key}${m[1]}:` + text.slice(i + m[0].length),
        how: `key ${m[2]} renamed ${key}`,
      };
    }
    case 8: {
      const depth = rng.int(50, 5000);
      const i = at();
      const [open, close] = rng.pick([
        ['[', ']'],
        ['{"a":', '}'],
        ['{ a = ', ' }'],
        ['- ', ''],
        ['a:\n ', ''],
      ] as const);
      const closed = rng.chance(0.5);
      return {
        text:
          text.slice(0, i) + open.repeat(depth) + '1' + (closed ? close.repeat(depth) : '') + text.slice(i),
        how: `nesting ${depth} (${open}${closed ? ', closed' : ''}) at ${i}`,
      };
    }
    case 9: {
      // a scalar replaced by a value of another type
      const from = rng.int(0, Math.max(0, text.length - 4000));
      const scalars = [
        ...text.slice(from, from + 4000).matchAll(/"[^"\n]{1,80}"|\b\d{1,20}\b|\btrue\b|\bfalse\b/g),
      ];
      if (scalars.length === 0) return { text: `[${text}]`, how: 'wrapped in a list' };
      const m = rng.pick(scalars);
      m.index += from;
      const value = rng.pick([
        '[]',
        '{}',
        'null',
        '0',
        '-1',
        '1e308',
        '1.5',
        'true',
        '[null]',
        '[[]]',
        '{"Fn::Sub": []}',
        '{"Ref": {"Ref": "x"}}',
        '{"Fn::Join": [1, 2]}',
        '{"Fn::GetAtt": null}',
        '""',
        '"*"',
      ]);
      return {
        text: text.slice(0, m.index) + value + text.slice(m.index + m[0].length),
        how: `${m[0].slice(0, 40)} → ${value}`,
      };
    }
    case 10: {
      const i = at();
      const lines = text.split('\n');
      if (lines.length < 2) return { text: text + text, how: 'doubled' };
      const a = rng.int(0, lines.length - 1);
      const b = rng.int(0, lines.length - 1);
      [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      void i;
      return { text: lines.join('\n'), how: `lines ${a + 1} and ${b + 1} swapped` };
    }
    default: {
      // indentation shifted on a range of lines (YAML structure changes, JSON stays valid)
      const lines = text.split('\n');
      const a = rng.int(0, lines.length - 1);
      const b = Math.min(lines.length, a + rng.int(1, 10));
      const shift = rng.pick(['', ' ', '  ', '\t', '    ']);
      for (let k = a; k < b; k++) lines[k] = rng.chance(0.5) ? shift + lines[k] : lines[k]!.trimStart();
      return { text: lines.join('\n'), how: `indentation of lines ${a + 1}..${b}` };
    }
  }
}

/** One to four mutations in a row. */
export function mutate(rng: Rng, text: string, limits: MutationLimits = {}): { text: string; how: string } {
  const n = rng.int(1, 4);
  const hows: string[] = [];
  let out = text;
  for (let k = 0; k < n; k++) {
    const m = mutateText(rng, out, limits);
    out = m.text;
    hows.push(m.how);
  }
  return { text: out, how: hows.join('; ') };
}

/** The start of an input for a failure message: enough to see it, escaped so the report stays readable. */
export function preview(text: string, max = 300): string {
  const shown = text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
  return JSON.stringify(shown);
}

/** The error a JavaScript runtime throws on a defect (not a message we wrote for the user). */
export const INTERNAL_ERROR =
  /TypeError|RangeError|ReferenceError|SyntaxError|Maximum call stack|Cannot read propert|Cannot set propert|Cannot convert|is not a function|is not iterable|is not defined|undefined \(reading|null \(reading|Invalid time value|Invalid array length|out of memory|\bat [\w.<>]+ \(/;

/** Whatever a parser run may have left on Object.prototype (prototype pollution). */
export function prototypePollution(): string[] {
  const probe = {} as Record<string, unknown>;
  const found = Object.getOwnPropertyNames(Object.prototype).filter((k) => !BASELINE_PROTOTYPE.has(k));
  for (const key of ['polluted', 'Effect', 'Statement', 'isAdmin', 'kind', 'Version'])
    if (probe[key] !== undefined) found.push(key);
  return found;
}
const BASELINE_PROTOTYPE = new Set(Object.getOwnPropertyNames(Object.prototype));
