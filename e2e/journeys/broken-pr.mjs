// Journey: a pull request breaks a working setup, and the bundled Action catches it.
//
// An infra repository (a local git repo) describes the sandbox's `healthy` world correctly on main (eksctl add-on
// with the node SA's Pod Identity association, the node role's trust and permissions, the file system policy, the
// StorageClass); `efs-node-identity check` passes on it. A pull request replaces the file system policy with one
// that only denies and adds `crossaccount` to the StorageClass's mountOptions. The committed Action bundle
// (actions/verify/dist) runs on that pull request as a runner would (pull_request event file, GITHUB_* env, a fake
// GitHub API on loopback), in live mode too against the sandbox (the healthy cluster adds nothing). It must fail
// with FS-02 and K8-03 at the right files and lines, keep exactly one comment through a re-run and an update, put
// both findings in the SARIF, and pass once the pull request fixes both.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  copyBundle,
  git,
  runActionOnPullRequest,
  startFakeGitHub,
  writeFiles,
  OWNER,
  REPO,
} from '../lib/action.mjs';
import { journey, ROOT } from '../lib/journey.mjs';

const j = journey('broken-pr');
const { check } = j;

const ACCOUNT = '111122223333';
const CLUSTER = 'prod-eks';
const REGION = 'eu-west-1';
const FS = 'fs-0a1b2c3d4e5f60718';
const NODE_ROLE = `arn:aws:iam::${ACCOUNT}:role/prod-eks-efs-csi-node`;
const FS_ARN = `arn:aws:elasticfilesystem:${REGION}:${ACCOUNT}:file-system/${FS}`;
const PR = 17;

const json = (value) => `${JSON.stringify(value, null, 2)}\n`;
const denyInsecureTransport = {
  Sid: 'DenyInsecureTransport',
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: '*',
  Resource: FS_ARN,
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
};
const storageClass = (mountOptions) =>
  [
    'apiVersion: storage.k8s.io/v1',
    'kind: StorageClass',
    'metadata:',
    '  name: efs-shared',
    'provisioner: efs.csi.aws.com',
    'mountOptions:',
    ...mountOptions.map((o) => `  - ${o}`),
    'parameters:',
    '  provisioningMode: efs-ap',
    `  fileSystemId: ${FS}`,
    '  directoryPerms: "700"',
    '',
  ].join('\n');

/** The setup on main: the sandbox's healthy world, as its infra repository would describe it. */
const MAIN = {
  'README.md': '# infra\n\nprod-eks and its shared EFS file system.\n',
  'eks/cluster.yaml': [
    'apiVersion: eksctl.io/v1alpha5',
    'kind: ClusterConfig',
    'metadata:',
    `  name: ${CLUSTER}`,
    `  region: ${REGION}`,
    'addons:',
    '  - name: eks-pod-identity-agent',
    '  - name: aws-efs-csi-driver',
    '    version: v3.4.1-eksbuild.1',
    '    podIdentityAssociations:',
    '      - serviceAccountName: efs-csi-controller-sa',
    '        namespace: kube-system',
    `        roleARN: arn:aws:iam::${ACCOUNT}:role/prod-eks-efs-csi-controller`,
    '      - serviceAccountName: efs-csi-node-sa',
    '        namespace: kube-system',
    `        roleARN: ${NODE_ROLE}`,
    '',
  ].join('\n'),
  'iam/node-role-trust.json': json({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'EksPodIdentity',
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
      },
    ],
  }),
  'iam/node-role-permissions.json': json({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'EfsClientAccess',
        Effect: 'Allow',
        Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
        Resource: FS_ARN,
      },
    ],
  }),
  'efs/file-system-policy.json': json({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'EfsCsiNode-prod-eks',
        Effect: 'Allow',
        Principal: { AWS: NODE_ROLE },
        Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
        Resource: FS_ARN,
        Condition: { Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' } },
      },
      denyInsecureTransport,
    ],
  }),
  'k8s/storageclass.yaml': storageClass(['tls', 'iam']),
};

/** The pull request: the Allow statement dropped, `crossaccount` added to the mount options. */
const BREAKING = {
  'efs/file-system-policy.json': json({ Version: '2012-10-17', Statement: [denyInsecureTransport] }),
  'k8s/storageclass.yaml': storageClass(['tls', 'iam', 'crossaccount']),
};

/** 1-based line of the first line of `text` matching `pattern`. */
const lineOf = (text, pattern) => text.split('\n').findIndex((l) => pattern.test(l)) + 1;

await j.run(async () => {
  // The sandbox's healthy world, with an EKS access entry for the admin user: on a runner the action reaches the
  // Kubernetes API with an EKS token signed by the AWS credentials (as a workflow whose OIDC role has an entry).
  const require = createRequire(import.meta.url);
  const { startSandbox, adminCredentials, addAccessEntry } = require(
    join(ROOT, 'packages', 'sandbox', 'dist', 'index.js'),
  );
  const sandbox = await startSandbox({
    scenario: 'healthy',
    seed: (state) =>
      addAccessEntry(state, ACCOUNT, CLUSTER, { principalArn: `arn:aws:iam::${ACCOUNT}:user/sandbox-admin` }),
  });
  j.onCleanup(() => sandbox.stop());
  const keys = adminCredentials(sandbox.state, ACCOUNT);
  // What aws-actions/configure-aws-credentials would export, plus the endpoint override the AWS SDK honours.
  const awsEnv = {
    AWS_ENDPOINT_URL: sandbox.url,
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    AWS_REGION: REGION,
  };

  // The infra repository: main, then the pull request's branch.
  const repo = join(j.temp('repo'), 'infra');
  mkdirSync(repo);
  git(repo, 'init', '-q');
  writeFiles(repo, MAIN);
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'prod-eks: EFS CSI node identity through Pod Identity');
  const base = git(repo, 'rev-parse', 'HEAD');
  const onMain = await j.cli(['check', repo, '--format', 'json']);
  check(
    'main: efs-node-identity check passes (exit 0, no finding)',
    onMain.code === 0 && JSON.parse(onMain.stdout).findings.length === 0,
    onMain.stdout + onMain.stderr,
  );

  git(repo, 'checkout', '-q', '-b', 'shared-storage-tweaks');
  writeFiles(repo, BREAKING);
  git(repo, 'commit', '-q', '-am', 'Tighten the file system policy; cross-account mount option');
  const head = git(repo, 'rev-parse', 'HEAD');
  const changed = git(repo, 'diff', '--name-only', `${base}...${head}`).split('\n');
  check('the pull request changes the policy and the StorageClass', changed.length === 2, changed.join(', '));

  // The fake GitHub API lists the changed files and keeps the comments; a reviewer has already commented.
  const github = await startFakeGitHub({ owner: OWNER, repo: REPO, number: PR, changedFiles: changed });
  j.onCleanup(() => github.close());
  github.comments.push({ id: 900, body: 'Looks fine to me, but let the check run.' });

  const runner = j.temp('runner');
  const bundle = copyBundle(join(runner, 'action'));
  let runs = 0;
  const runAction = async (headSha) => {
    runs += 1;
    const runnerDir = join(runner, `run-${runs}`);
    mkdirSync(runnerDir);
    const result = await runActionOnPullRequest({
      journey: j,
      bundle,
      workspace: repo,
      runnerDir,
      github,
      number: PR,
      headSha,
      baseSha: base,
      inputs: {
        token: 'ghs_e2e-fake-token',
        live: 'true',
        cluster: CLUSTER,
        region: REGION,
        'file-systems': FS,
      },
      env: awsEnv,
    });
    const sarifFile = result.outputs['sarif-file'];
    result.sarif = sarifFile ? JSON.parse(readFileSync(sarifFile, 'utf8')) : undefined;
    if (sarifFile) j.save(`run-${runs}.sarif`, readFileSync(sarifFile, 'utf8'));
    j.save(`run-${runs}-summary.md`, result.summary);
    return result;
  };
  const ours = () => github.comments.filter((c) => c.id !== 900);

  // Run 1: the pull request as opened.
  const first = await runAction(head);
  // Error annotations on a file (the step's own failure message is one too, without a file).
  const errors = first.annotations.filter((a) => a.level === 'error' && a.properties.file);
  const policyText = readFileSync(join(repo, 'efs/file-system-policy.json'), 'utf8');
  const scText = readFileSync(join(repo, 'k8s/storageclass.yaml'), 'utf8');
  const expected = [
    // FS-02 is about the whole policy document: it points at its first line.
    { rule: 'FS-02', file: 'efs/file-system-policy.json', line: lineOf(policyText, /^\{/) },
    { rule: 'K8-03', file: 'k8s/storageclass.yaml', line: lineOf(scText, /- crossaccount/) },
  ];
  check(
    'run 1: the step fails (exit 1, result fail)',
    first.code === 1 && first.outputs.result === 'fail',
    `exit ${first.code}, result ${first.outputs.result}`,
  );
  for (const e of expected) {
    const hit = errors.find((a) => a.properties.title?.includes(e.rule) || a.message.includes(e.rule));
    check(
      `run 1: ${e.rule} annotated as an error on ${e.file}:${e.line}`,
      hit && hit.properties.file === e.file && Number(hit.properties.line) === e.line,
      hit
        ? JSON.stringify(hit.properties)
        : `no ${e.rule} in ${JSON.stringify(errors.map((a) => a.properties))}`,
    );
  }
  check(
    'run 1: exactly these two errors (the healthy live cluster adds none)',
    errors.length === 2 && first.outputs.errors === '2',
    `${errors.length} error annotations, errors output ${first.outputs.errors}: ${errors.map((a) => a.message.slice(0, 80)).join(' | ')}`,
  );
  check(
    'run 1: live mode read the sandbox cluster (0 live findings)',
    /Live: read cluster prod-eks in eu-west-1 .*all 0 live findings/.test(first.summary),
    first.summary.split('\n').find((l) => /Live/.test(l)) ?? 'no Live line in the job summary',
  );
  const results = first.sarif?.runs?.[0]?.results ?? [];
  for (const e of expected) {
    const r = results.find((x) => x.ruleId === e.rule);
    const region = r?.locations?.[0]?.physicalLocation;
    check(
      `run 1: the SARIF has ${e.rule} at ${e.file}:${e.line}`,
      region?.artifactLocation?.uri === e.file && region?.region?.startLine === e.line,
      JSON.stringify(region ?? r ?? 'missing'),
    );
  }
  check(
    "run 1: one comment of ours, beside the reviewer's",
    ours().length === 1 && github.comments.length === 2,
    `${github.comments.length} comments`,
  );
  const comment = ours()[0];
  check(
    'run 1: the comment names FS-02 and K8-03',
    /FS-02/.test(comment?.body ?? '') && /K8-03/.test(comment?.body ?? ''),
    comment?.body,
  );
  j.save('comment-run-1.md', comment?.body ?? '');

  // Run 2: the same commit again (a re-run of the job): still one comment, the same one.
  const second = await runAction(head);
  check(
    'run 2 (re-run): fails the same way',
    second.code === 1 && second.outputs.errors === '2',
    `exit ${second.code}, errors ${second.outputs.errors}`,
  );
  check(
    'run 2: still exactly one comment of ours, the same comment',
    ours().length === 1 && ours()[0].id === comment.id,
    JSON.stringify(ours().map((c) => c.id)),
  );

  // Run 3: the author fixes the StorageClass; the comment is updated in place and no longer names K8-03.
  writeFiles(repo, { 'k8s/storageclass.yaml': storageClass(['tls', 'iam']) });
  git(repo, 'commit', '-q', '-am', 'crossaccount belongs in the provisioner secret, not in mountOptions');
  const third = await runAction(git(repo, 'rev-parse', 'HEAD'));
  check(
    'run 3 (StorageClass fixed): still fails, with FS-02 only',
    third.code === 1 &&
      third.outputs.errors === '1' &&
      third.annotations.some(
        (a) => a.level === 'error' && a.properties.file === 'efs/file-system-policy.json',
      ),
    `exit ${third.code}, errors ${third.outputs.errors}`,
  );
  const updated = ours();
  check(
    'run 3: the one comment is updated in place (same id, FS-02 without K8-03)',
    updated.length === 1 &&
      updated[0].id === comment.id &&
      /FS-02/.test(updated[0].body) &&
      !/K8-03/.test(updated[0].body),
    updated.map((c) => `${c.id}: ${c.body.slice(0, 200)}`).join('\n'),
  );
  j.save('comment-run-3.md', updated[0]?.body ?? '');

  // Run 4: the Allow statement restored: the pull request passes and the comment says so.
  writeFiles(repo, { 'efs/file-system-policy.json': MAIN['efs/file-system-policy.json'] });
  git(repo, 'commit', '-q', '-am', "Keep the node role's Allow statement");
  const fourth = await runAction(git(repo, 'rev-parse', 'HEAD'));
  check(
    'run 4 (both fixed): passes (exit 0, result pass, 0 errors)',
    fourth.code === 0 && fourth.outputs.result === 'pass' && fourth.outputs.errors === '0',
    `exit ${fourth.code}, result ${fourth.outputs.result}: ${fourth.stdout.slice(-500)}`,
  );
  const last = ours();
  check(
    'run 4: still one comment, no longer naming FS-02',
    last.length === 1 && last[0].id === comment.id && !/FS-02/.test(last[0].body),
    last.map((c) => c.body.slice(0, 200)).join('\n'),
  );
  j.save('comment-run-4.md', last[0]?.body ?? '');
  j.say(`sarif, summaries, comments and logs in e2e/artifacts/broken-pr/`);
});
