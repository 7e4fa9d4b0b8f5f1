// Journey: a service team asks for EFS access through the Backstage template, and the request goes all the way.
//
// The sandbox's `demo` world; the demo's Backstage backend (catalog, the real scaffolder with
// publish:github:pull-request and the efs-node-identity actions, the efs-node-identity backend plugin) with a GitHub
// integration pointing at a fake GitHub on loopback whose repositories are real git repositories on disk
// (e2e/lib/git-github.mjs). The team registers its service media-thumbnails (catalog-info.yaml in acme/media-thumbnails)
// and runs the template for demo-cluster in account 222233334444 and file system fs-0c2d4e6f8a0b1c3d5 (whose policy
// today only denies: FS-02), delivery by pull request. Checked: the task plans against the live cluster, renders the
// Terraform into a pull request on acme/infra and the annotated catalog-info.yaml into one on acme/media-thumbnails;
// the bundled Action runs on the infra pull request (checked out from the git repository) and passes; both are
// merged; the catalog picks the annotations up; the card (real Chromium, "Verify now") shows Failing with FS-02
// until the platform team runs `efs-node-identity apply`, and Healthy after it; `verify` and a second `plan` agree.
import { DescribeFileSystemPolicyCommand, EFSClient } from '@aws-sdk/client-efs';
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyBundle, runActionOnPullRequest } from '../lib/action.mjs';
import { launchBrowser, startDemoBackend } from '../lib/backstage.mjs';
import { startGitBackedGitHub } from '../lib/git-github.mjs';
import { journey, ROOT, until } from '../lib/journey.mjs';

const j = journey('self-service');
const { check } = j;

const ACCOUNTS = ['111122223333', '222233334444', '333344445555'];
const ACCOUNT = '222233334444';
const CLUSTER = 'demo-cluster';
const REGION = 'eu-west-1';
const FS = 'fs-0c2d4e6f8a0b1c3d5';
const SERVICE = 'media-thumbnails';
const ENTITY_REF = `component:default/${SERVICE}`;
const CATALOG_INFO = `# ${SERVICE}: thumbnails of the media-store uploads, on demo-cluster.
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ${SERVICE}
  description: Thumbnails of the media-store uploads
spec:
  type: service
  lifecycle: production
  owner: group:default/platform
`;
// Node's global fetch, named so that the linter's globals for .mjs files need not list it.
const { fetch } = globalThis;

await j.run(async () => {
  const require = createRequire(import.meta.url);
  const { startSandbox, adminCredentials } = require(join(ROOT, 'packages', 'sandbox', 'dist', 'index.js'));
  const sandbox = await startSandbox({ scenario: 'demo' });
  j.onCleanup(() => sandbox.stop());
  const github = await startGitBackedGitHub({
    'acme/infra': { 'README.md': '# infra\n\nClusters and their AWS resources.\n' },
    [`acme/${SERVICE}`]: { 'catalog-info.yaml': CATALOG_INFO, 'README.md': `# ${SERVICE}\n` },
  });
  j.onCleanup(() => github.stop());
  const backstage = await startDemoBackend(j, {
    sandbox,
    accounts: ACCOUNTS,
    extraConfig: {
      integrations: { github: [{ host: 'github.com', apiBaseUrl: github.apiUrl, token: 'ghs_e2e-fake' }] },
    },
  });
  j.say(`Backstage on ${backstage.url} after ${j.seconds()} s`);
  const call = async (path, init = {}) => {
    const res = await fetch(`${backstage.url}/api${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${backstage.token}`,
        'content-type': 'application/json',
        ...(init.headers ?? {}),
      },
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };

  // The team registers its service from its repository (the catalog reads it through the GitHub integration).
  await call('/catalog/locations', {
    method: 'POST',
    body: JSON.stringify({
      type: 'url',
      target: `https://github.com/acme/${SERVICE}/blob/main/catalog-info.yaml`,
    }),
  });
  const entity = await until(
    'the service in the catalog',
    () => call(`/catalog/entities/by-name/component/default/${SERVICE}`).catch(() => undefined),
    {
      timeoutMs: 120_000,
    },
  );
  check('catalog: the service is registered from acme/media-thumbnails', entity.metadata.name === SERVICE);
  await until(
    'the template in the catalog',
    () => call('/catalog/entities/by-name/template/default/efs-node-identity').catch(() => undefined),
    {
      timeoutMs: 120_000,
    },
  );

  // The template, delivery by pull request.
  const created = await call('/scaffolder/v2/tasks', {
    method: 'POST',
    body: JSON.stringify({
      templateRef: 'template:default/efs-node-identity',
      values: {
        entity: ENTITY_REF,
        cluster: CLUSTER,
        region: REGION,
        accountId: ACCOUNT,
        mode: 'pod-identity',
        fileSystems: [{ id: FS, access: 'write' }],
        delivery: 'pull-request',
        infraRepoUrl: 'github.com?owner=acme&repo=infra',
        format: 'terraform',
        annotateEntity: true,
      },
    }),
  });
  const task = await until(
    'the scaffolder task',
    async () => {
      const t = await call(`/scaffolder/v2/tasks/${created.id}`);
      return ['completed', 'failed', 'cancelled'].includes(t.status) ? t : undefined;
    },
    { timeoutMs: 180_000, everyMs: 1000 },
  );
  const events = await call(`/scaffolder/v2/tasks/${created.id}/events`);
  j.save(
    'task-log.txt',
    events
      .map((e) => e.body?.message ?? '')
      .filter(Boolean)
      .join('\n'),
  );
  check('scaffolder: the task completed', task.status === 'completed', `${task.status}; see task-log.txt`);
  j.say(`template task ${task.status} after ${j.seconds()} s`);

  const infraPr = github.pullRequests.find((p) => p.key === 'acme/infra');
  const catalogPr = github.pullRequests.find((p) => p.key === `acme/${SERVICE}`);
  check('scaffolder: a pull request on acme/infra', Boolean(infraPr), JSON.stringify(github.pullRequests));
  check(
    `scaffolder: a pull request on acme/${SERVICE}`,
    Boolean(catalogPr),
    JSON.stringify(github.pullRequests),
  );
  if (!infraPr || !catalogPr) return;
  const infraFiles = Object.keys(github.files('acme/infra', `refs/heads/${infraPr.head}`));
  const rendered = infraFiles.filter((f) => f.startsWith(`efs-node-identity/${CLUSTER}/`));
  check(
    'infra PR: rendered Terraform under efs-node-identity/demo-cluster/',
    rendered.some((f) => f.endsWith('.tf')),
    infraFiles.join(', '),
  );
  for (const f of rendered)
    j.save(join('infra-pr', f), github.files('acme/infra', `refs/heads/${infraPr.head}`)[f]);
  check('infra PR: the README of main is untouched beside it', infraFiles.includes('README.md'));
  const annotated = github.files(`acme/${SERVICE}`, `refs/heads/${catalogPr.head}`)['catalog-info.yaml'];
  j.save('catalog-pr/catalog-info.yaml', annotated);
  check(
    'catalog PR: catalog-info.yaml gets the efs-node-identity.io annotations',
    annotated.includes(
      `efs-node-identity.io/cluster-arn: arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`,
    ) &&
      annotated.includes(FS) &&
      annotated.startsWith(`# ${SERVICE}:`),
    annotated,
  );

  // The bundled Action on the infra pull request, checked out from the git repository.
  const runner = j.temp('runner');
  const workspace = github.checkout('acme/infra', infraPr.headSha, join(runner, 'infra'));
  const runnerDir = join(runner, 'run');
  mkdirSync(runnerDir);
  const action = await runActionOnPullRequest({
    journey: j,
    bundle: copyBundle(join(runner, 'action')),
    workspace,
    runnerDir,
    github: { url: github.apiUrl },
    number: infraPr.number,
    headSha: infraPr.headSha,
    baseSha: infraPr.baseSha,
    inputs: { token: 'ghs_e2e-fake' },
  });
  j.save('action-summary.md', action.summary);
  check(
    'Action on the infra PR: passes (exit 0, result pass, 0 errors, 0 warnings)',
    action.code === 0 &&
      action.outputs.result === 'pass' &&
      action.outputs.errors === '0' &&
      action.outputs.warnings === '0',
    `exit ${action.code}, ${JSON.stringify(action.outputs)}: ${action.stdout.slice(-600)}`,
  );
  const changedCount = rendered.length === 1 ? 'the 1 file' : `the ${rendered.length} files`;
  check(
    `Action on the infra PR: it checked the rendered file(s) the pull request changes (${rendered.length})`,
    action.summary.includes(`${changedCount} this pull request changes`),
    action.summary.slice(0, 600),
  );
  check(
    'Action on the infra PR: no comment on a clean pull request, after looking for one to update',
    github.commentsOf(infraPr).length === 0 &&
      github.requests.some((r) => r.startsWith(`GET /repos/acme/infra/issues/${infraPr.number}/comments`)),
    JSON.stringify(github.commentsOf(infraPr)),
  );

  // Both pull requests merged; the catalog reads the annotated catalog-info.yaml.
  github.merge(infraPr);
  github.merge(catalogPr);
  await call('/catalog/refresh', { method: 'POST', body: JSON.stringify({ entityRef: ENTITY_REF }) });
  await until(
    'the annotations in the catalog',
    async () => {
      const e = await call(`/catalog/entities/by-name/component/default/${SERVICE}`);
      return e.metadata.annotations?.['efs-node-identity.io/cluster-arn'];
    },
    { timeoutMs: 120_000, everyMs: 1000 },
  );
  check('catalog: the merged annotations are in the catalog', true);

  // The card before the apply: Verify now in the browser.
  const browser = await launchBrowser(j);
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(60_000);
  const cardStatus = page.locator('section[aria-label="Verification status"]');
  const verifyNow = async () => {
    await page.goto(`${backstage.url}/catalog/default/component/${SERVICE}`);
    await cardStatus.waitFor();
    const before = await cardStatus.innerText();
    await page.getByRole('button', { name: 'Verify now' }).click();
    await until(
      'the card to show a new verification',
      async () =>
        (await cardStatus.innerText()) !== before && !/Verifying/.test(await cardStatus.innerText()),
      {
        timeoutMs: 60_000,
      },
    );
    // The button is enabled again when the answer is in.
    await page.getByRole('button', { name: 'Verify now' }).waitFor();
    return cardStatus.innerText();
  };
  const beforeApply = await verifyNow();
  check('browser, before apply: the card says Failing', /Failing/.test(beforeApply), beforeApply);
  check(
    'browser, before apply: FS-02 is listed',
    (await page.locator('li[aria-label^="FS-02 error"]').count()) === 1,
  );
  await page.screenshot({ path: join(j.artifacts, 'card-before-apply.png'), fullPage: true });

  // The platform team applies what the pull request describes, with the CLI, against the cluster's account.
  const keys = adminCredentials(sandbox.state, ACCOUNT);
  const clientConfig = { endpoint: sandbox.url, region: REGION, credentials: keys };
  const env = {
    AWS_ENDPOINT_URL: sandbox.url,
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    AWS_REGION: REGION,
  };
  const desired = ['--cluster', CLUSTER, '--region', REGION, '--file-system', `${FS}:write`];
  const journalDir = j.temp('journal');
  const apply = await j.cli(
    ['apply', ...desired, '--adopt', '--yes', '--journal', join(journalDir, 'journal.json')],
    env,
  );
  check(
    'CLI apply --yes: exit 0, its own verify clean',
    apply.code === 0 && /verify: 0 error\(s\)/.test(apply.stderr),
    `exit ${apply.code}: ${apply.stderr.slice(-800)}`,
  );
  const verify = await j.cli(['verify', '--cluster', CLUSTER, '--region', REGION, '--format', 'json'], env);
  check(
    'CLI verify: exit 0, no finding',
    verify.code === 0 && JSON.parse(verify.stdout).findings.length === 0,
    `exit ${verify.code}: ${verify.stdout.slice(0, 400)}`,
  );
  const again = await j.cli(['plan', ...desired, '--adopt', '--format', 'json'], env);
  check(
    'CLI: a second plan is empty',
    again.code === 0 && JSON.parse(again.stdout).steps.length === 0,
    again.stdout.slice(0, 400),
  );

  // What the pull request describes is what is live now: the node role it names, and its file system statement
  // (merged by Sid beside the policy's own statements).
  const terraform = Object.entries(github.files('acme/infra'))
    .filter(([f]) => f.endsWith('.tf'))
    .map(([, text]) => text)
    .join('\n');
  const sid = /"Sid": "(EfsCsiNode-[\w-]+)"/.exec(terraform)?.[1];
  const policy = JSON.parse(
    (await new EFSClient(clientConfig).send(new DescribeFileSystemPolicyCommand({ FileSystemId: FS })))
      .Policy,
  );
  const statement = policy.Statement.find((st) => st.Sid === sid);
  check(
    `live: the file system policy now holds the merged PR's statement ${sid} for the role it names`,
    sid !== undefined &&
      statement?.Effect === 'Allow' &&
      terraform.includes(`name               = "${CLUSTER}-efs-csi-node"`) &&
      statement.Principal?.AWS === `arn:aws:iam::${ACCOUNT}:role/${CLUSTER}-efs-csi-node` &&
      policy.Statement.length > 1,
    JSON.stringify(policy.Statement.map((st) => st.Sid)),
  );

  const afterApply = await verifyNow();
  check(
    'browser, after apply: the card says Healthy',
    /Healthy/.test(afterApply) && !/Failing/.test(afterApply),
    afterApply,
  );
  // Notes may stay (the demo inspects live mounts and counts them): no error and no warning.
  const left = await page
    .locator('section[aria-label="Findings"] li')
    .evaluateAll((items) => items.map((li) => li.getAttribute('aria-label') ?? ''));
  check(
    'browser, after apply: no error or warning is left',
    left.every((label) => !/ (error|warning)\b/.test(label)),
    JSON.stringify(left),
  );
  await page.screenshot({ path: join(j.artifacts, 'card-after-apply.png'), fullPage: true });
  writeFileSync(join(j.artifacts, 'pull-requests.json'), JSON.stringify(github.pullRequests, null, 2));
});
