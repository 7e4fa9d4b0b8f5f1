import * as path from 'node:path';
import { defaultConfig } from '../config/config';
import { evaluateSnapshot } from '../rules/engine';
import { hclModule } from './__fuzz__/grammar';
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
import { readTerraformModule } from './terraform-hcl';

/**
 * Fuzz campaign of the Terraform HCL source (parser, module evaluator, resource mapping): 600 modules, each the
 * real .tf fixtures mutated or a grammar-generated module (resources, data sources, locals, variables; jsonencode,
 * templates, heredocs, for-expressions, conditionals, splats, unknown functions), mutated or not, next to a good
 * file. A crash is an exception, a notice or finding that carries a JavaScript runtime error, or a change to
 * Object.prototype; the good file must still be read. FUZZ_SEED=<seed> replays one input, FUZZ_RUNS sets the number.
 */

const RUNS = campaignRuns(600);
// The HCL parser and hcl2json cost about 10 ms per 100 KB: huge strings stay at 30,000 characters here (the document
// campaign covers larger ones, and the loader's 10 MB limit bounds any file).
const LIMITS = { hugeMax: 30_000 };
const FIXTURES = readFixtures(
  [path.join(__dirname, '__fixtures__'), path.join(__dirname, '..', 'rules', '__fixtures__')],
  /\.tf$/,
);
const GOOD = {
  file: 'infra/good.tf',
  text: 'resource "aws_iam_role" "good_node_for_fuzz" {\n  name = "good-efs-csi-node"\n  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [] })\n}\n',
};

describe('fuzz: the Terraform HCL source on 600 malformed modules', () => {
  it('has .tf fixtures to mutate', () => {
    expect(FIXTURES.length).toBeGreaterThan(10);
  });

  it('never crashes, and still reads the good file beside the bad one', async () => {
    const crashes: string[] = [];
    for (const seed of campaignSeeds('terraform-hcl', RUNS)) {
      const rng = new Rng(seed);
      let text: string;
      let how: string;
      if (rng.chance(0.5)) {
        const fixture = rng.pick(FIXTURES);
        const m = mutate(rng, fixture.text, LIMITS);
        text = m.text;
        how = `${path.basename(fixture.file)}: ${m.how}`;
      } else {
        text = hclModule(rng);
        how = 'grammar';
        if (rng.chance(0.3)) {
          const m = mutate(rng, text, LIMITS);
          text = m.text;
          how += `, then ${m.how}`;
        }
      }
      let crash: string | undefined;
      try {
        const snapshot = await readTerraformModule([{ file: 'infra/fuzz.tf', text }, GOOD]);
        const notice = snapshot.notices.find(
          (n) => INTERNAL_ERROR.test(n.message) || /could not evaluate Terraform/.test(n.message),
        );
        if (notice) crash = `a notice shows an internal error: ${notice.message}`;
        else if (!snapshot.roles.some((r) => r.name === 'good-efs-csi-node'))
          crash = 'the good file beside it was not read';
        else {
          const internal = evaluateSnapshot(snapshot, defaultConfig()).findings.find((f) =>
            /internal error/.test(f.message),
          );
          if (internal) crash = `${internal.ruleId}: ${internal.message}`;
        }
        const polluted = prototypePollution();
        if (!crash && polluted.length > 0) crash = `Object.prototype polluted: ${polluted.join(', ')}`;
      } catch (error) {
        crash = `threw ${(error as Error).stack ?? String(error)}`;
      }
      if (crash)
        crashes.push(
          `FUZZ_SEED=${seed} (${how.slice(0, 300)}): ${crash.slice(0, 1500)}\n  input: ${preview(text)}`,
        );
      if (crashes.length >= Number(process.env.FUZZ_MAX_CRASHES ?? 5)) break;
    }
    if (crashes.length > 0) console.error(crashes.join('\n\n'));
    expect(crashes).toEqual([]);
  }, 300_000);
});
