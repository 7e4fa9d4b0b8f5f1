import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from 'yaml';

/**
 * YAML and JSON parsed into plain values that remember their lines. Sources read plain objects and ask `lineOf`
 * for the line of an object, an array, or one of their keys / items, so findings point at the right line.
 */
export interface LocatedDocument {
  value: unknown;
  /** 1-based line of the document's first content. */
  line: number;
  lineOf(container: object, key?: string | number): number | undefined;
  /**
   * Keys left out of `value` because a plain object cannot hold them safely (`__proto__` would set the prototype),
   * with their lines: a reader with a fixed set of fields (a spec file) refuses them rather than ignore them.
   */
  droppedKeys?: Array<{ key: string; line?: number }>;
}

export class LocatedParseError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface LocatedParseOptions {
  /** Turns a value with a non-standard tag (CloudFormation `!Ref`) into a plain value. Default: keep the value. */
  onTag?: (tag: string, value: unknown) => unknown;
  /** Deepest nesting accepted. */
  maxDepth?: number;
  /** Most alias expansions accepted in one document (YAML "billion laughs" guard). */
  maxAliasExpansions?: number;
}

const STANDARD_TAG = /^tag:yaml\.org,2002:/;

interface Positions {
  line?: number;
  keys: Map<string | number, number>;
}

/** Parses every document of a YAML stream (JSON is a YAML document too), keeping lines. */
export function parseLocatedYaml(text: string, options: LocatedParseOptions = {}): LocatedDocument[] {
  const maxDepth = options.maxDepth ?? 256;
  const maxAliases = options.maxAliasExpansions ?? 10_000;
  const counter = new LineCounter();
  let docs: ReturnType<typeof parseAllDocuments>;
  try {
    docs = parseAllDocuments(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: false });
  } catch (error) {
    // The yaml library parses block collections recursively: a few thousand nested `- - - …` exhaust the stack
    // before our depth limit below sees the tree. That is input too deep to read, not a defect. (The error is not
    // always a RangeError of this realm: match the message.)
    const message = error instanceof Error ? error.message : String(error);
    if (/Maximum call stack/.test(message))
      throw new LocatedParseError(`nesting too deep to parse (more than ${maxDepth} levels)`, undefined, {
        cause: error,
      });
    throw new LocatedParseError(`the YAML parser failed on this file: ${message.slice(0, 200)}`, undefined, {
      cause: error,
    });
  }
  const list = Array.isArray(docs) ? docs : [docs];
  const lineAt = (offset: number | undefined): number | undefined =>
    offset === undefined ? undefined : counter.linePos(offset).line;
  const result: LocatedDocument[] = [];
  for (const doc of list) {
    if (doc.errors.length > 0) {
      const err = doc.errors[0];
      // The yaml library also reports running out of stack on deep flow collections as a document error.
      const message = /Maximum call stack/.test(err.message)
        ? `nesting too deep to parse (more than ${maxDepth} levels)`
        : err.message.split('\n')[0];
      throw new LocatedParseError(message, lineAt(err.pos[0]));
    }
    const positions = new WeakMap<object, Positions>();
    const droppedKeys: Array<{ key: string; line?: number }> = [];
    let expansions = 0;
    const convert = (node: unknown, depth: number, viaAlias: boolean): unknown => {
      if (depth > maxDepth) {
        throw new LocatedParseError(
          `nesting deeper than ${maxDepth} levels`,
          lineAt((node as Node)?.range?.[0]),
        );
      }
      if (node === null || node === undefined) return null;
      if (isAlias(node)) {
        const target = node.resolve(doc);
        if (!target) throw new LocatedParseError(`unresolved alias *${node.source}`, lineAt(node.range?.[0]));
        return convert(target, depth + 1, true);
      }
      if (viaAlias && ++expansions > maxAliases) {
        throw new LocatedParseError(
          `more than ${maxAliases} alias expansions (a YAML alias bomb?)`,
          lineAt((node as Node).range?.[0]),
        );
      }
      const tag = (node as Node).tag;
      let value: unknown;
      if (isMap(node)) {
        const obj: Record<string, unknown> = {};
        const pos: Positions = { line: lineAt(node.range?.[0]), keys: new Map() };
        for (const pair of node.items) {
          if (!isPair(pair)) continue;
          const keyNode = pair.key as Node | null;
          const key = isScalar(keyNode)
            ? String(keyNode.value)
            : String(convert(keyNode, depth + 1, viaAlias));
          if (key === '__proto__') {
            droppedKeys.push({ key, line: lineAt(keyNode?.range?.[0]) });
            continue;
          }
          if (key === '<<' && isAlias(pair.value)) {
            const merged = convert(pair.value, depth + 1, viaAlias);
            if (merged && typeof merged === 'object' && !Array.isArray(merged)) {
              for (const [k, v] of Object.entries(merged)) if (!(k in obj)) obj[k] = v;
            }
            continue;
          }
          obj[key] = convert(pair.value, depth + 1, viaAlias);
          const line = lineAt(keyNode?.range?.[0]);
          if (line !== undefined) pos.keys.set(key, line);
        }
        positions.set(obj, pos);
        value = obj;
      } else if (isSeq(node)) {
        const arr: unknown[] = [];
        const pos: Positions = { line: lineAt(node.range?.[0]), keys: new Map() };
        node.items.forEach((item, index) => {
          arr.push(convert(item, depth + 1, viaAlias));
          const line = lineAt((item as Node | null)?.range?.[0]);
          if (line !== undefined) pos.keys.set(index, line);
        });
        positions.set(arr, pos);
        value = arr;
      } else if (isScalar(node)) {
        value = node.value;
        if (typeof value === 'bigint') value = Number(value);
      } else {
        value = null;
      }
      if (tag && !STANDARD_TAG.test(tag) && options.onTag) return options.onTag(tag, value);
      return value;
    };
    const value = convert(doc.contents, 0, false);
    const line = lineAt(doc.contents?.range?.[0]) ?? 1;
    result.push({
      value,
      line,
      ...(droppedKeys.length > 0 ? { droppedKeys } : {}),
      lineOf(container: object, key?: string | number) {
        const pos = positions.get(container);
        if (!pos) return undefined;
        return key === undefined ? pos.line : (pos.keys.get(key) ?? pos.line);
      },
    });
  }
  return result;
}

/**
 * Parses a JSON file strictly (so invalid JSON is reported as such, with its line), then with positions.
 */
export function parseLocatedJson(text: string, options: LocatedParseOptions = {}): LocatedDocument {
  try {
    JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message.replace(/^JSON\.parse: /, '');
    const offset = jsonErrorOffset(text);
    const line = offset === undefined ? undefined : text.slice(0, offset).split('\n').length;
    const reason = message.split(/, "|\. |\n/)[0].replace(/ in JSON at position \d+.*$/, '');
    throw new LocatedParseError(`invalid JSON: ${reason}`, line);
  }
  const docs = parseLocatedYaml(text, options);
  if (docs.length === 0) return { value: null, line: 1, lineOf: () => undefined };
  return docs[0];
}

/**
 * Offset of the first syntax error in a JSON text (Node's JSON.parse no longer says where), or undefined.
 * A small recursive-descent reader that only validates.
 */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t'))
      i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail();
      }
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!match) fail();
    i += match![0].length;
  };
  const value = (depth: number): void => {
    if (depth > 5000) fail();
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    } else if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else number();
  };
  try {
    value(0);
    ws();
    return i < text.length ? i : undefined;
  } catch (at) {
    return typeof at === 'number' ? Math.min(at, text.length) : undefined;
  }
}
