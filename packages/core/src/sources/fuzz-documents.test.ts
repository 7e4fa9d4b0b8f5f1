import * as path from 'node:path';
import { defaultConfig } from '../config/config';
import { emptySnapshot } from '../model/snapshot';
import { evaluateSnapshot } from '../rules/engine';
import { LocatedParseError, parseLocatedJson, parseLocatedYaml, type LocatedDocument } from '../util/located';
import { grammarDocument } from './__fuzz__/grammar';
import {
  campaignRuns,
  campaignSeeds,
  INTERNAL_ERROR,
  mutate,
  preview,
  prototypePollution,
  readFixtures,
  Rng,
} from './__fuzz__/kit';
import { readDocumentFile } from './load';
import { documentSources, yamlTagHook } from './registry';
import type { ParsedFile } from './types';

/**
 * Fuzz campaign of the document sources (IAM policy JSON, Kubernetes YAML multi-doc and eksctl, Helm values,
 * Terraform plan JSON, CloudFormation JSON/YAML with intrinsics and short-form tags, CDK synth output): 4,400 inputs,
 * each the real fixtures mutated (truncation, character flips, syntax, deep nesting, huge strings, wrong types,
 * escape sequences, prototype keys) or a grammar-generated document, mutated or not. A crash is any exception other
 * than our located parse error, a source or rule failing with a JavaScript runtime error, or a change to
 * Object.prototype. Each input has its own seed: a failure prints it, FUZZ_SEED=<seed> replays that input alone,
 * FUZZ_RUNS sets the number of inputs.
 */

const RUNS = campaignRuns(4400);
// Huge strings up to 120,000 characters: the yaml library builds an error object per bad token, which Jest's stack
// hooks make slow; fuzz.test.ts covers strings of megabytes through the loader.
const LIMITS = { hugeMax: 120_000 };
const FIXTURES = readFixtures(
  [path.join(__dirname, '__fixtures__'), path.join(__dirname, '..', 'rules', '__fixtures__')],
  /\.(json|ya?ml|template)$/,
);

interface Input {
  seed: number;
  file: string;
  text: string;
  how: string;
}

function generate(seed: number): Input {
  const rng = new Rng(seed);
  if (rng.chance(0.6)) {
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
function crashOf(input: Input): string | undefined {
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

describe('fuzz: the document sources on 4,400 malformed inputs', () => {
  it('has fixtures of every document format to mutate', () => {
    const names = FIXTURES.map((f) => f.file).join('\n');
    expect(names).toMatch(/cdk\.out/);
    expect(names).toMatch(/cloudformation/);
    expect(names).toMatch(/plan\.json/);
    expect(names).toMatch(/helm/);
    expect(FIXTURES.length).toBeGreaterThan(100);
  });

  it('no input crashes a parser, a source or a rule', () => {
    const crashes: string[] = [];
    const seeds = campaignSeeds('documents', RUNS);
    for (const seed of seeds) {
      const input = generate(seed);
      const crash = crashOf(input);
      if (crash)
        crashes.push(
          `FUZZ_SEED=${seed} (${input.file}; ${input.how.slice(0, 300)}): ${crash.slice(0, 1500)}\n  input: ${preview(input.text)}`,
        );
      if (crashes.length >= Number(process.env.FUZZ_MAX_CRASHES ?? 5)) break;
    }
    if (crashes.length > 0) console.error(crashes.join('\n\n'));
    expect(crashes).toEqual([]);
  }, 120_000);
});
