import { readFileSync } from 'node:fs';
import { addAccessEntry, adminCredentials, startSandbox, type Sandbox } from '@efs-node-identity/sandbox';
import { makeRepository, runAction, sarifValidator, startFakeGitHub, type ActionRun } from './action-harness';

const ACCOUNT = '111122223333';
const CLUSTER = 'prod-eks';
const REGION = 'eu-west-1';
const FILE_SYSTEM = 'fs-0a1b2c3d4e5f60718';

/**
 * The sandbox seeded from a scenario, with an EKS access entry for the admin user: the action has no kubeconfig on a
 * runner, so it reaches the Kubernetes API with an EKS token signed by the AWS credentials, as in a real workflow
 * where the OIDC role has an access entry.
 */
async function sandboxWorld(scenario: string) {
  const sandbox = await startSandbox({
    scenario,
    seed: (state) =>
      addAccessEntry(state, ACCOUNT, CLUSTER, { principalArn: `arn:aws:iam::${ACCOUNT}:user/sandbox-admin` }),
  });
  const keys = adminCredentials(sandbox.state, ACCOUNT)!;
  // What aws-actions/configure-aws-credentials exports, plus the endpoint override the SDK honours.
  const env = {
    AWS_ENDPOINT_URL: sandbox.url,
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    AWS_REGION: REGION,
  };
  return { sandbox, env };
}

const LIVE_INPUTS = {
  token: 'ghs_fake-token-1234',
  live: 'true',
  cluster: CLUSTER,
  region: REGION,
  'file-systems': FILE_SYSTEM,
};

interface SarifResult {
  ruleId: string;
  level: string;
  locations: Array<{
    physicalLocation?: unknown;
    logicalLocations?: Array<{ fullyQualifiedName: string; kind: string }>;
  }>;
}

function sarifOf(run: ActionRun): { runs: Array<{ results: SarifResult[] }> } {
  return JSON.parse(readFileSync(run.outputs['sarif-file'], 'utf8'));
}
const liveResults = (run: ActionRun) =>
  sarifOf(run).runs[0].results.filter((r) => r.locations.some((l) => l.logicalLocations));
const liveAnnotations = (run: ActionRun) =>
  run.annotations.filter((a) => a.message.startsWith(`Live cluster ${CLUSTER} (${REGION}): `));

describe('live mode of the bundled action against the sandbox', () => {
  const validateSarif = sarifValidator();
  let sandbox: Sandbox | undefined;
  let github: Awaited<ReturnType<typeof startFakeGitHub>> | undefined;
  afterEach(async () => {
    await github?.close();
    await sandbox?.stop();
    github = sandbox = undefined;
  });

  // What `efs-node-identity verify --cluster prod-eks --region eu-west-1` reports for these scenarios (FS-02 once;
  // PI-06 and PI-07 for each of the 3 node pods), the same collector and rules.
  it.each([
    ['deny-only-policy', { 'FS-02': 1 }],
    ['never-restarted', { 'PI-06': 3, 'PI-07': 3 }],
  ])(
    'on %s, adds the live findings to the annotations, summary, comment, SARIF and outputs',
    async (scenario, expected) => {
      const world = await sandboxWorld(scenario);
      sandbox = world.sandbox;
      // A pull request that changes only a README: no static finding, so everything reported is live.
      const workspace = makeRepository({ 'README.md': '# infra\n' });
      github = await startFakeGitHub({ changedFiles: ['README.md'] });
      const run = await runAction({ workspace, inputs: LIVE_INPUTS, apiUrl: github.url, env: world.env });

      expect(run.stderr).toBe('');
      expect(run.code).toBe(1);
      const errors = Object.values(expected).reduce((a, b) => a + b, 0);
      expect(run.outputs).toMatchObject({ result: 'fail', errors: String(errors), warnings: '0' });

      // SARIF: valid against the official 2.1.0 schema; live results carry the resource as a logical location.
      const sarif = sarifOf(run);
      expect(validateSarif(sarif)).toBe(true);
      expect(validateSarif.errors ?? []).toEqual([]);
      const counted: Record<string, number> = {};
      for (const r of liveResults(run)) counted[r.ruleId] = (counted[r.ruleId] ?? 0) + 1;
      expect(counted).toEqual(expected);

      // Annotations without a file location, titled with the rule.
      const annotations = liveAnnotations(run);
      expect(annotations).toHaveLength(errors);
      for (const a of annotations) {
        expect(a.level).toBe('error');
        expect(a.properties.file).toBeUndefined();
        expect(Object.keys(expected)).toContain(a.properties.title.split(':')[0]);
      }
      for (const id of Object.keys(expected))
        expect(run.summary).toMatch(new RegExp(`\\| ❌ error \\| \\[${id}\\]`));
      expect(run.summary).toMatch(
        new RegExp(`Live: read cluster ${CLUSTER} in ${REGION} \\(\\d+ AWS calls, \\d+ Kubernetes calls\\)`),
      );
      const comment = github.comments.find((c) => c.body.includes('<!-- efs-node-identity:verify -->'));
      for (const id of Object.keys(expected)) expect(comment?.body).toContain(`[${id}]`);

      // The cluster was read through the AWS APIs and the Kubernetes API (with the EKS token), read-only.
      const calls = world.sandbox.log.calls;
      expect(calls.some((c) => c.service === 'kubernetes' && c.status === 200)).toBe(true);
      expect(calls.some((c) => c.operation === 'DescribeCluster' && c.status === 200)).toBe(true);
      expect(calls.filter((c) => /^(Put|Create|Update|Delete|Patch)/.test(c.operation))).toEqual([]);

      // Credentials appear nowhere the runner shows or keeps.
      const everything = [
        run.stdout,
        run.stderr,
        run.summary,
        JSON.stringify(sarif),
        comment?.body ?? '',
      ].join('\n');
      expect(everything).not.toContain(world.env.AWS_SECRET_ACCESS_KEY);
      expect(everything).not.toContain('k8s-aws-v1.');
    },
  );

  it('reads an Amazon S3 Files file system named as s3files:fs-… and reports S3F-04 for its linked bucket', async () => {
    const world = await sandboxWorld('s3files-bucket-deny');
    sandbox = world.sandbox;
    const workspace = makeRepository({ 'README.md': '# infra\n' });
    const run = await runAction({
      workspace,
      inputs: {
        ...LIVE_INPUTS,
        'file-systems': 's3files:fs-0c1d2e3f4a5b6c7d8e9f',
        comment: 'false',
        'changed-files-only': 'false',
      },
      env: world.env,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    // S3F-03 (warning) too: the node role's direct reads are denied by the same bucket policy.
    expect(
      liveResults(run)
        .map((r) => `${r.ruleId} ${r.level}`)
        .sort(),
    ).toEqual(['S3F-03 warning', 'S3F-04 error']);
    expect(validateSarif(sarifOf(run))).toBe(true);
    // Asked through the S3 Files and S3 APIs, never through EFS's.
    const calls = world.sandbox.log.calls;
    expect(calls.some((c) => c.service === 's3files' && c.operation === 'GetFileSystem')).toBe(true);
    expect(calls.some((c) => c.service === 's3' && c.operation === 'GetBucketPolicy')).toBe(true);
    expect(calls.filter((c) => c.service === 'elasticfilesystem')).toEqual([]);
  });

  it('on healthy, adds no live error and passes', async () => {
    const world = await sandboxWorld('healthy');
    sandbox = world.sandbox;
    const workspace = makeRepository({ 'README.md': '# infra\n' });
    github = await startFakeGitHub({ changedFiles: ['README.md'] });
    const run = await runAction({ workspace, inputs: LIVE_INPUTS, apiUrl: github.url, env: world.env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({ result: 'pass', errors: '0' });
    expect(liveAnnotations(run).filter((a) => a.level === 'error')).toEqual([]);
    expect(liveResults(run).filter((r) => r.level === 'error')).toEqual([]);
    expect(validateSarif(sarifOf(run))).toBe(true);
    expect(run.summary).toMatch(
      /Live: read cluster prod-eks in eu-west-1 \(\d+ AWS calls, \d+ Kubernetes calls\)/,
    );
    // The cluster was really read: no call refused (a 404 is an answer: e.g. no IAM OIDC provider in a Pod Identity
    // cluster).
    expect(world.sandbox.log.calls.length).toBeGreaterThan(10);
    expect(world.sandbox.log.calls.filter((c) => c.status === 401 || c.status === 403)).toEqual([]);
  });

  it('fails the step with one line, and still reports the static check, when the cluster cannot be read', async () => {
    const world = await sandboxWorld('healthy');
    sandbox = world.sandbox;
    const workspace = makeRepository({ 'README.md': '# infra\n' });
    const run = await runAction({
      workspace,
      inputs: { ...LIVE_INPUTS, cluster: 'staging-eks', comment: 'false', 'changed-files-only': 'false' },
      env: world.env,
    });
    expect(run.code).toBe(1);
    expect(run.outputs.result).toBe('fail');
    const failure = run.annotations.filter((a) => a.level === 'error');
    expect(failure).toEqual([
      expect.objectContaining({
        message:
          'live check of staging-eks in eu-west-1 failed: cluster "staging-eks" not found in eu-west-1 (DescribeCluster: ResourceNotFoundException)',
      }),
    ]);
    expect(run.summary).toMatch(
      /Checked \d+ files?; all findings reported\. Live: live check of staging-eks/,
    );
    expect(run.stdout).not.toMatch(/\n\s+at /);
  });

  it('says the credentials were rejected, in one line and without the key', async () => {
    const world = await sandboxWorld('healthy');
    sandbox = world.sandbox;
    const workspace = makeRepository({ 'README.md': '# infra\n' });
    const run = await runAction({
      workspace,
      inputs: { ...LIVE_INPUTS, comment: 'false', 'changed-files-only': 'false' },
      env: { ...world.env, AWS_SECRET_ACCESS_KEY: 'not-the-secret' },
    });
    expect(run.code).toBe(1);
    const errors = run.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(
      /^live check of prod-eks in eu-west-1 failed: the AWS credentials were rejected \(/,
    );
    expect(run.stdout + run.summary).not.toContain('not-the-secret');
  });
});
