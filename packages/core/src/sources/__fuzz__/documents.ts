import * as path from 'node:path';
import { defaultConfig } from '../../config/config';
import { emptySnapshot } from '../../model/snapshot';
import { evaluateSnapshot } from '../../rules/engine';
import {
  LocatedParseError,
  parseLocatedJson,
  parseLocatedYaml,
  type LocatedDocument,
} from '../../util/located';
import { readDocumentFile } from '../load';
import { documentSources, yamlTagHook } from '../registry';
import type { ParsedFile } from '../types';
import { grammarDocument } from './grammar';
import { INTERNAL_ERROR, mutate, preview, prototypePollution, readFixtures, Rng } from './kit';

/**
 * The document campaigns (fuzz-documents*.test.ts): inputs and the crash judge. Test code only.
 */

// Huge strings up to 60,000 characters: the yaml library builds an error object per bad token, which Jest's stack
// hooks make slow; fuzz.test.ts covers strings of megabytes through the loader.
const LIMITS = { hugeMax: 60_000 };
export const FIXTURES = readFixtures(
  [path.join(__dirname, '..', '__fixtures__'), path.join(__dirname, '..', '..', 'rules', '__fixtures__')],
  /\.(json|ya?ml|template)$/,
);

export interface Input {
  seed: number;
  file: string;
  text: string;
  how: string;
}

/** Input `seed`: a mutated fixture, or a grammar-generated document (mutated or not). */
export function generate(seed: number, from: 'fixtures' | 'grammar'): Input {
  const rng = new Rng(seed);
  if (from === 'fixtures') {
    const fixture = rng.pick(FIXTURES);
    const m = mutate(rng, fixture.text, LIMITS);
    return {
      seed,
      file: path.basename(fixture.file),
      text: m.text,
      how: `${path.basename(fixture.file)}: ${m.how}`,
    };
  }
  const doc = grammarDocument(rng);
  if (rng.chance(0.4)) {
    const m = mutate(rng, doc.text, LIMITS);
    return { seed, file: `generated${doc.ext}`, text: m.text, how: `${doc.how}, then ${m.how}` };
  }
  return { seed, file: `generated${doc.ext}`, text: doc.text, how: doc.how };
}

/** Runs one input through the sources the way the loader does, but lets every exception through to be judged. */
export function crashOf(input: Input): string | undefined {
  const { file, text } = input;
  const isJson = file.endsWith('.json') || /^\s*[{[]/.test(text);
  let documents: LocatedDocument[];
  try {
    documents = isJson
      ? [parseLocatedJson(text, { onTag: yamlTagHook })]
      : parseLocatedYaml(text, { onTag: yamlTagHook });
  } catch (error) {
    if (error instanceof LocatedParseError && !INTERNAL_ERROR.test(error.message)) return undefined;
    return `the parser threw ${explain(error)}`;
  }
  const parsed: ParsedFile = { file, text, format: isJson ? 'json' : 'yaml', documents };
  for (const document of documents) {
    if (document.value === null || typeof document.value !== 'object') continue;
    for (const source of documentSources) {
      let claimed: boolean;
      try {
        claimed = source.claims(document, parsed);
      } catch (error) {
        return `${source.name}.claims threw ${explain(error)}`;
      }
      if (!claimed) continue;
      try {
        source.read([document], parsed);
      } catch (error) {
        return `${source.name}.read threw ${explain(error)}`;
      }
      break;
    }
  }
  // The whole path, as `check` runs it: the loader's reading, then every rule over what it read.
  const snapshot = emptySnapshot(['S']);
  try {
    readDocumentFile({ file, text }, snapshot);
  } catch (error) {
    return `readDocumentFile threw ${explain(error)}`;
  }
  for (const notice of snapshot.notices)
    if (INTERNAL_ERROR.test(notice.message)) return `a notice shows an internal error: ${notice.message}`;
  let findings;
  try {
    findings = evaluateSnapshot(snapshot, defaultConfig()).findings;
  } catch (error) {
    return `the rules threw ${explain(error)}`;
  }
  const internal = findings.find((f) => /internal error/.test(f.message));
  if (internal) return `${internal.ruleId}: ${internal.message}`;
  const polluted = prototypePollution();
  if (polluted.length > 0) return `Object.prototype polluted: ${polluted.join(', ')}`;
  return undefined;
}

function explain(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // The first frames say where; a stack overflow's thousand identical frames say nothing more.
  const frames = (error.stack ?? '')
    .split('\n')
    .filter((l) => /^\s+at /.test(l))
    .slice(0, 6);
  return `${error.name}: ${error.message.slice(0, 500)}\n${frames.join('\n')}`;
}

/** Runs a campaign: the crashes found, each with its seed, what was done and the start of the input. */
export function runCampaign(seeds: number[], from: 'fixtures' | 'grammar'): string[] {
  const crashes: string[] = [];
  for (const seed of seeds) {
    const input = generate(seed, from);
    const crash = crashOf(input);
    if (crash)
      crashes.push(
        `FUZZ_SEED=${seed} (${input.file}; ${input.how.slice(0, 300)}): ${crash.slice(0, 1500)}\n  input: ${preview(input.text)}`,
      );
    if (crashes.length >= 5) break;
  }
  return crashes;
}
