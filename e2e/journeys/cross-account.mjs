// Journey: a node identity across two accounts, broken on both sides, found and repaired by the CLI.
//
// The sandbox (the CLI `efs-node-identity sandbox --scenario cross-account --enforce-permissions`, so every AWS call
// is judged against the caller's IAM policies) holds the cluster account 111122223333 (prod-eks and its node role)
// and the storage account 444455556666 (the file system). As their teams would, through the real AWS APIs: the
// storage team creates the provisioner role of docs/permissions.md for the platform team, then rewrites its file
// system policy, adding a backup statement and dropping the node role's Allow; on the platform side the node role
// loses its EFS identity policy. Then the real CLI: `verify` finds FS-02, XA-05 and NI-01; `plan` refuses to change a
// role it did not create until `--adopt`; `plan --adopt` → `apply --adopt --yes` → `verify` clean, a second `plan`
// is empty, and the storage team's statements are still in the file system policy.
import { DescribeFileSystemPolicyCommand, EFSClient, PutFileSystemPolicyCommand } from '@aws-sdk/client-efs';
import {
  CreateRoleCommand,
  DeleteRolePolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { journey, ROOT } from '../lib/journey.mjs';
import { startSandboxCli } from '../lib/sandbox.mjs';

const j = journey('cross-account');
const { check } = j;

const PLATFORM = '111122223333';
const STORAGE = '444455556666';
const REGION = 'eu-west-1';
const FS = 'fs-0c7d8e9f0a1b2c3d4';
const FS_ARN = `arn:aws:elasticfilesystem:${REGION}:${STORAGE}:file-system/${FS}`;
const NODE_ROLE = 'prod-eks-efs-csi-node';
const PROVISIONER = `arn:aws:iam::${STORAGE}:role/efs-node-identity-provisioner`;

/** Rule IDs of a `--format json` report, sorted, with duplicates. */
const ruleIds = (stdout) =>
  JSON.parse(stdout)
    .findings.map((f) => f.ruleId)
    .sort();

await j.run(async () => {
  const sandbox = await startSandboxCli(j, 'cross-account', ['--enforce-permissions']);
  check('the sandbox prints keys for the storage account too', Boolean(sandbox.accounts[STORAGE]));
  const storageIam = new IAMClient(sandbox.clientConfig(STORAGE));
  const storageEfs = new EFSClient(sandbox.clientConfig(STORAGE));
  const platformIam = new IAMClient(sandbox.clientConfig());

  // The storage team: the role the platform team's provisioner assumes (docs/permissions.md, "Cross-account").
  await storageIam.send(
    new CreateRoleCommand({
      RoleName: 'efs-node-identity-provisioner',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${PLATFORM}:user/sandbox-admin` },
            Action: 'sts:AssumeRole',
          },
        ],
      }),
    }),
  );
  await storageIam.send(
    new PutRolePolicyCommand({
      RoleName: 'efs-node-identity-provisioner',
      PolicyName: 'efs-node-identity-provisioner',
      PolicyDocument: readFileSync(join(ROOT, 'docs', 'policies', 'provisioner-policy.json'), 'utf8'),
    }),
  );
  // The storage team rewrites the file system policy: a backup statement added, the node role's Allow lost.
  const backup = {
    Sid: 'StorageTeamBackups',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${STORAGE}:root` },
    Action: ['elasticfilesystem:ClientMount'],
    Resource: FS_ARN,
    Condition: { Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' } },
  };
  const denyInsecure = {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: { AWS: '*' },
    Action: '*',
    Resource: FS_ARN,
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
  await storageEfs.send(
    new PutFileSystemPolicyCommand({
      FileSystemId: FS,
      Policy: JSON.stringify({ Version: '2012-10-17', Statement: [backup, denyInsecure] }),
    }),
  );
  // The platform side: the node role's identity policy for the shared file system is removed.
  await platformIam.send(
    new DeleteRolePolicyCommand({ RoleName: NODE_ROLE, PolicyName: 'efs-client-access' }),
  );

  const env = { ...sandbox.env };
  const live = ['--cluster', 'prod-eks', '--region', REGION, '--efs-role-arn', PROVISIONER];
  const desired = [...live, '--file-system', FS];

  const before = await j.cli(['verify', ...live, '--format', 'json'], env);
  const found = before.code === 1 ? ruleIds(before.stdout) : [];
  check('verify: exit 1 with findings', before.code === 1, `exit ${before.code}: ${before.stderr}`);
  for (const rule of ['FS-02', 'XA-05', 'NI-01'])
    check(`verify: ${rule} is reported`, found.includes(rule), found.join(', '));
  j.save('verify-before.json', before.stdout);

  const refused = await j.cli(['plan', ...desired, '--format', 'json'], env);
  const refusals = refused.stdout ? (JSON.parse(refused.stdout).refusals ?? []) : [];
  check(
    'plan without --adopt: refused (exit 1) for the node role it did not create, pointing at --adopt',
    refused.code === 1 &&
      refusals.some((r) => r.resource.endsWith(`:role/${NODE_ROLE}`) && /--adopt/.test(r.reason)),
    `exit ${refused.code}: ${JSON.stringify(refusals)}`,
  );

  const plan = await j.cli(['plan', ...desired, '--adopt', '--format', 'json'], env);
  const steps = plan.code === 0 ? JSON.parse(plan.stdout).steps : [];
  j.save('plan.json', plan.stdout);
  check(
    'plan --adopt: exit 0 with steps',
    plan.code === 0 && steps.length > 1,
    `exit ${plan.code}: ${plan.stderr}`,
  );
  const merge = steps.find((s) => s.kind === 'merge-file-system-policy');
  check(
    "plan: merges the node role into the storage account's file system policy",
    merge?.accountId === STORAGE &&
      merge?.statement?.Principal?.AWS === `arn:aws:iam::${PLATFORM}:role/${NODE_ROLE}`,
    JSON.stringify(merge ?? steps.map((s) => s.kind)),
  );
  check(
    'plan: adopts the node role (ownership tag) and puts its identity policy for the file system',
    steps.some((s) => s.kind === 'tag-role') &&
      steps.some((s) => s.kind === 'put-role-policy' && JSON.stringify(s).includes(FS_ARN)),
    steps.map((s) => s.kind).join(', '),
  );

  const journal = join(j.temp('journal'), 'journal.json');
  const apply = await j.cli(['apply', ...desired, '--adopt', '--yes', '--journal', journal], env);
  check(
    'apply --adopt --yes: exit 0, every step done, its own verify clean',
    apply.code === 0 && /verify: 0 error\(s\)/.test(apply.stderr),
    `exit ${apply.code}: ${apply.stderr.slice(-800)}`,
  );
  j.save('journal.json', readFileSync(journal, 'utf8'));
  check(
    'apply: prints no secret key',
    !`${apply.stdout}${apply.stderr}`.includes(env.AWS_SECRET_ACCESS_KEY) &&
      !`${apply.stdout}${apply.stderr}`.includes(sandbox.accounts[STORAGE].secretAccessKey),
  );

  const after = await j.cli(['verify', ...live, '--format', 'json'], env);
  check(
    'verify after apply: exit 0, no finding',
    after.code === 0 && ruleIds(after.stdout).length === 0,
    `exit ${after.code}: ${after.code === 1 ? ruleIds(after.stdout).join(', ') : after.stderr}`,
  );
  j.save('verify-after.json', after.stdout);

  const again = await j.cli(['plan', ...desired, '--adopt', '--format', 'json'], env);
  check(
    'a second plan is empty',
    again.code === 0 && JSON.parse(again.stdout).steps.length === 0,
    `exit ${again.code}: ${again.stdout.slice(0, 400)}`,
  );

  // The storage team's statements survive the merge (policies are merged by Sid, never overwritten).
  const policy = JSON.parse(
    (await storageEfs.send(new DescribeFileSystemPolicyCommand({ FileSystemId: FS }))).Policy,
  );
  const sids = policy.Statement.map((s) => s.Sid).sort();
  check(
    "the file system policy keeps the storage team's statements beside the node role's",
    ['DenyInsecureTransport', 'StorageTeamBackups'].every((sid) => sids.includes(sid)) &&
      policy.Statement.some(
        (s) => s.Effect === 'Allow' && s.Principal?.AWS === `arn:aws:iam::${PLATFORM}:role/${NODE_ROLE}`,
      ),
    sids.join(', '),
  );
  j.save('file-system-policy-after.json', JSON.stringify(policy, null, 2));
});
