import { campaignRuns, campaignSeeds } from './__fuzz__/kit';
import { FIXTURES, runCampaign } from './__fuzz__/documents';

/**
 * Fuzz campaign of the document sources with generated documents (fuzz-documents.test.ts mutates the fixtures):
 * 2,000 IAM policies, Kubernetes multi-document streams and eksctl ClusterConfigs, Helm values, CloudFormation
 * templates (JSON/YAML, nested intrinsics of every arity, short-form tags) and Terraform plans, built with the shape
 * each source claims and values of the right and the wrong type, 40 % of them mutated as well. A crash is any exception other
 * than our located parse error, a source or rule failing with a JavaScript runtime error, or a change to
 * Object.prototype. Each input has its own seed: a failure prints it, FUZZ_SEED=<seed> replays that input alone,
 * FUZZ_RUNS sets the number of inputs. The judge and the generators are in __fuzz__/.
 */

const RUNS = campaignRuns(2000);

describe('fuzz: the document sources on 2,000 grammar-generated documents', () => {
  it('has fixtures of every document format to mutate', () => {
    const names = FIXTURES.map((f) => f.file).join('\n');
    expect(names).toMatch(/cdk\.out/);
    expect(names).toMatch(/cloudformation/);
    expect(names).toMatch(/plan\.json/);
    expect(names).toMatch(/helm/);
    expect(FIXTURES.length).toBeGreaterThan(100);
  });

  it('no input crashes a parser, a source or a rule', () => {
    const crashes = runCampaign(campaignSeeds('documents-grammar', RUNS), 'grammar');
    if (crashes.length > 0) console.error(crashes.join('\n\n'));
    expect(crashes).toEqual([]);
  }, 300_000);
});
