import { readFileSync } from 'node:fs';
import { fixture, makeRepository, runAction, sarifValidator, startFakeGitHub } from './action-harness';

const DENY_ONLY_POLICY = fixture('seed-deny-only', 'efs-file-system-policy.json');
// The seed StorageClass (tls, iam on the Deny-only file system) with `crossaccount` added: line 9.
const CROSSACCOUNT_SC = fixture('seed-deny-only', 'storageclass.yaml').replace(
  '  - iam\n',
  '  - iam\n  - crossaccount\n',
);

const BASE_INPUTS = { token: 'ghs_fake-token-1234', 'fail-on': 'error', comment: 'true' };

function storageClass(name: string, options: string[]): string {
  return [
    'apiVersion: storage.k8s.io/v1',
    'kind: StorageClass',
    'metadata:',
    `  name: ${JSON.stringify(name)}`,
    'provisioner: efs.csi.aws.com',
    'mountOptions:',
    ...options.map((o) => `  - ${o}`),
    'parameters:',
    '  fileSystemId: fs-0d2c4b6a8e1f3a5b7',
    '',
  ].join('\n');
}

describe('the bundled action on a pull request', () => {
  it('fails a broken PR with FS-02 and K8-03 annotations on the right lines, and keeps one comment across runs', async () => {
    const workspace = makeRepository({
      'efs/file-system-policy.json': DENY_ONLY_POLICY,
      'k8s/storageclass.yaml': CROSSACCOUNT_SC,
      'README.md': '# infra\n',
    });
    const github = await startFakeGitHub({
      changedFiles: ['efs/file-system-policy.json', 'k8s/storageclass.yaml'],
    });
    try {
      const first = await runAction({ workspace, inputs: BASE_INPUTS, apiUrl: github.url });
      process.stdout.write(
        `action verify: time from process start to verdict: ${first.milliseconds.toFixed(0)} ms\n`,
      );
      expect(first.code).toBe(1);
      const errors = first.annotations.filter((a) => a.level === 'error' && a.properties.file);
      expect(errors).toContainEqual(
        expect.objectContaining({
          properties: expect.objectContaining({ file: 'efs/file-system-policy.json', line: '1' }),
          message: expect.stringMatching(/no Allow for elasticfilesystem:ClientMount/),
        }),
      );
      expect(errors).toContainEqual(
        expect.objectContaining({
          properties: expect.objectContaining({
            file: 'k8s/storageclass.yaml',
            line: '9',
            title: expect.stringMatching(/^K8-03/),
          }),
        }),
      );
      expect(errors.find((a) => /^FS-02/.test(a.properties.title))).toBeDefined();
      // The verdict is the last error, without a location.
      expect(first.annotations.at(-1)).toMatchObject({
        level: 'error',
        message: expect.stringMatching(/fail-on: error/),
      });
      expect(first.outputs).toMatchObject({ result: 'fail' });
      expect(Number(first.outputs.errors)).toBeGreaterThanOrEqual(2);
      expect(first.summary).toMatch(/\| ❌ error \| \[K8-03\]/);
      // The runner consumes `::add-mask::` and hides the token from then on; it must appear nowhere else.
      expect(first.stdout.split('ghs_fake-token-1234')).toHaveLength(2);
      expect(first.stdout).toMatch(/^::add-mask::ghs_fake-token-1234$/m);

      // Pagination: 2 changed files and 3 other comments on pages of 2.
      const gets = github.requests.filter((r) => r.method === 'GET').map((r) => r.path);
      expect(gets.filter((p) => p.includes('/comments')).length).toBe(2);
      expect(github.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
      const ours = () => github.comments.filter((c) => c.body.includes('<!-- efs-node-identity:verify -->'));
      expect(ours()).toHaveLength(1);
      expect(ours()[0].body).toMatch(/K8-03/);

      const second = await runAction({ workspace, inputs: BASE_INPUTS, apiUrl: github.url });
      expect(second.code).toBe(1);
      expect(github.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
      expect(github.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
      expect(ours()).toHaveLength(1);

      const sarif = JSON.parse(readFileSync(first.outputs['sarif-file'], 'utf8'));
      const validateSarif = sarifValidator();
      expect(validateSarif(sarif)).toBe(true);
      expect(validateSarif.errors ?? []).toEqual([]);
      expect(sarif.version).toBe('2.1.0');
      expect(sarif.runs).toHaveLength(1);
      for (const result of sarif.runs[0].results)
        expect(result.partialFingerprints['efsNodeIdentity/v1']).toMatch(/^[0-9a-f]{32}$/);
    } finally {
      await github.close();
    }
  });

  it('reports a finding in an unchanged file that the change caused, marked as such', async () => {
    const workspace = makeRepository({
      'efs/file-system-policy.json': DENY_ONLY_POLICY,
      'k8s/storageclass.yaml': CROSSACCOUNT_SC,
    });
    const github = await startFakeGitHub({ changedFiles: ['k8s/storageclass.yaml'] });
    try {
      const run = await runAction({ workspace, inputs: BASE_INPUTS, apiUrl: github.url });
      const fs02 = run.annotations.find((a) => /^FS-02/.test(a.properties.title ?? ''));
      expect(fs02?.properties.file).toBe('efs/file-system-policy.json');
      expect(fs02?.message).toMatch(/^Caused by a change in k8s\/storageclass\.yaml: /);
    } finally {
      await github.close();
    }
  });

  it('passes a clean PR with result=pass and posts no comment when there is nothing to say', async () => {
    const workspace = makeRepository({
      'efs/file-system-policy.json': DENY_ONLY_POLICY.replace(
        /fs-0d2c4b6a8e1f3a5b7/g,
        'fs-0aaaaaaaaaaaaaaaa',
      ),
      'docs/notes.md': 'unrelated\n',
    });
    const github = await startFakeGitHub({ changedFiles: ['docs/notes.md'] });
    try {
      const run = await runAction({ workspace, inputs: BASE_INPUTS, apiUrl: github.url });
      expect(run.code).toBe(0);
      expect(run.outputs).toMatchObject({ result: 'pass', errors: '0', warnings: '0' });
      expect(run.annotations).toEqual([]);
      expect(github.requests.filter((r) => r.method !== 'GET')).toEqual([]);
      expect(run.summary).toMatch(/reported 0 of \d+ findings?/);
    } finally {
      await github.close();
    }
  });

  it('shows 10 of 15 errors as annotations and rolls up the other 5 into one', async () => {
    const files: Record<string, string> = {};
    for (let i = 1; i <= 15; i++)
      files[`k8s/sc-${String(i).padStart(2, '0')}.yaml`] = storageClass(`efs-${i}`, [
        'tls',
        'iam',
        'crossaccount',
      ]);
    const workspace = makeRepository(files);
    const run = await runAction({
      workspace,
      inputs: { ...BASE_INPUTS, comment: 'false', 'changed-files-only': 'false' },
    });
    expect(run.outputs.errors).toBe('15');
    const located = run.annotations.filter((a) => a.level === 'error' && a.properties.file);
    expect(located).toHaveLength(10);
    expect(located.map((a) => a.properties.file)).toEqual(Object.keys(files).slice(0, 10));
    const rollUps = run.annotations.filter((a) => a.level === 'notice');
    expect(rollUps).toHaveLength(1);
    expect(rollUps[0].message).toMatch(/^5 more errors not shown as annotations/);
    expect(run.summary.match(/\| ❌ error \|/g)).toHaveLength(15);
  });

  it('never lets a name or a file path in the repository issue a workflow command of its own', async () => {
    // A resource name with newlines and a file name with the separators of annotation properties: written raw, the
    // name would start lines of its own (`::add-mask::`, `::stop-commands::`) and the file name would add a property.
    const hostileName =
      'x\n::add-mask::not-a-secret\n::stop-commands::pause\n%0A::set-output name=result::pass';
    const hostileFile = 'sc,line=1,title=pwned::x.yaml';
    const workspace = makeRepository({
      [hostileFile]: storageClass(hostileName, ['tls', 'iam', 'crossaccount']),
    });
    const run = await runAction({
      workspace,
      inputs: { ...BASE_INPUTS, comment: 'false', 'changed-files-only': 'false' },
    });
    const commandLines = run.stdout.split('\n').filter((l) => l.startsWith('::'));
    expect(commandLines.length).toBeGreaterThan(0);
    // The action's own commands only: annotations, and the mask of its token (core.setSecret).
    for (const line of commandLines.filter((l) => !l.startsWith('::add-mask::')))
      expect(line).toMatch(/^::(error|warning|notice|debug|group|endgroup)[ :]/);
    expect(commandLines.filter((l) => l.startsWith('::add-mask::'))).toEqual([
      '::add-mask::ghs_fake-token-1234',
    ]);
    const k8 = run.annotations.find(
      (a) => a.message.includes('K8-03') || a.properties.title?.includes('K8-03'),
    );
    expect(k8?.properties.file).toBe(hostileFile);
    expect(k8?.properties.title).not.toBe('pwned');
    expect(run.annotations.some((a) => a.message.includes('::add-mask::not-a-secret'))).toBe(true);
    expect(run.outputs.result).toBe('fail');
  });

  it('escapes every cell of the job summary', async () => {
    const workspace = makeRepository({
      'sc.yaml': storageClass('a|b<script>alert(1)</script>', ['tls', 'iam', 'crossaccount']),
    });
    const run = await runAction({
      workspace,
      inputs: { ...BASE_INPUTS, comment: 'false', 'changed-files-only': 'false' },
    });
    expect(run.summary).not.toContain('<script>');
    expect(run.summary).toContain('StorageClass/a\\|b&lt;script&gt;alert(1)&lt;/script&gt;');
    const row = run.summary.split('\n').find((l) => l.includes('K8-03') && l.startsWith('|')) ?? '';
    // 4 columns: 5 unescaped pipes.
    expect(row.replace(/\\\|/g, '').match(/\|/g)).toHaveLength(5);
  });
});

describe('input validation', () => {
  const workspace = makeRepository({ 'README.md': '# infra\n' });

  it.each([
    [{ 'fail-on': 'maybe' }, /^::error::input fail-on: must be one of error, warning, never; got 'maybe'$/m],
    [{ comment: 'yes' }, /^::error::input comment: must be one of true, false; got 'yes'$/m],
    [
      { 'changed-files-only': 'sometimes' },
      /^::error::input changed-files-only: must be one of auto, true, false/m,
    ],
    [{ paths: '../elsewhere' }, /^::error::input paths: '..\/elsewhere' is outside the repository/m],
    [
      { paths: 'nothing/**/*.yaml' },
      /^::error::input paths: the glob 'nothing\/\*\*\/\*.yaml' matches no file$/m,
    ],
    [{ config: 'missing.yaml' }, /^::error::input config: no file at 'missing.yaml'$/m],
    [{ token: '' }, /^::error::input token: is empty, but changed-files-only needs it/m],
    [{ live: 'true' }, /^::error::input cluster: is required with live: true$/m],
    [
      { live: 'true', cluster: 'prod', region: 'Europe' },
      /^::error::input region: 'Europe' is not an AWS region/m,
    ],
    [
      { live: 'true', cluster: 'prod', region: 'eu-west-1', 'file-systems': 'fs-1,efs-2' },
      /^::error::input file-systems: 'fs-1' is not a file system ID/m,
    ],
    [
      { live: 'true', cluster: 'prod', region: 'eu-west-1', 'file-systems': 's3files:fs-0123abcd' },
      /^::error::input file-systems: 's3files:fs-0123abcd' is not a file system ID \(EFS: .*S3 Files: s3files:fs- and 17-40 hex digits\)$/m,
    ],
    [{ cluster: 'prod' }, /^::error::input cluster: is only used with live: true$/m],
  ])('fails on %j naming the input', async (inputs, message) => {
    const run = await runAction({ workspace, inputs: { ...BASE_INPUTS, ...inputs } });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(message);
    expect(run.stderr).toBe('');
  });
});
