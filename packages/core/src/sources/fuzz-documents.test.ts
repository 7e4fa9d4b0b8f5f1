import { campaignRuns, campaignSeeds } from './__fuzz__/kit';
import { FIXTURES, runCampaign } from './__fuzz__/documents';

/**
 * Fuzz campaign of the document sources (IAM policy JSON, Kubernetes YAML multi-doc and eksctl, Helm values,
 * Terraform plan JSON, CloudFormation JSON/YAML with intrinsics and short-form tags, CDK synth output): 2,400 real
 * fixtures, each mutated one to four times (truncation, character flips, syntax, deep nesting, huge strings, wrong
 * types, escape sequences, prototype keys). A crash is any exception other
 * than our located parse error, a source or rule failing with a JavaScript runtime error, or a change to
 * Object.prototype. Each input has its own seed: a failure prints it, FUZZ_SEED=<seed> replays that input alone,
 * FUZZ_RUNS sets the number of inputs. The judge and the generators are in __fuzz__/.
 */

const RUNS = campaignRuns(2400);

describe('fuzz: the document sources on 2,400 mutated fixtures', () => {
  it('has fixtures of every document format to mutate', () => {
    const names = FIXTURES.map((f) => f.file).join('\n');
    expect(names).toMatch(/cdk\.out/);
    expect(names).toMatch(/cloudformation/);
    expect(names).toMatch(/plan\.json/);
    expect(names).toMatch(/helm/);
    expect(FIXTURES.length).toBeGreaterThan(100);
  });

  it('no input crashes a parser, a source or a rule', () => {
    const crashes = runCampaign(campaignSeeds('documents-fixtures', RUNS), 'fixtures');
    if (crashes.length > 0) console.error(crashes.join('\n\n'));
    expect(crashes).toEqual([]);
  }, 300_000);
});
