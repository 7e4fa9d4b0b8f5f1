// Journey: drift after a healthy start, caught by the scheduled refresh and shown in Backstage.
//
// The sandbox's `demo` world and the demo's Backstage backend (demo/backend serving demo/app, the real scheduler,
// catalog and efs-node-identity backend plugin), with the fleet refresh every 20 seconds instead of 30 minutes
// (`efsNodeIdentity.refresh` in an extra config file). Nobody presses "Verify now": every status here comes from the
// scheduled refresh. orders-api starts healthy; then, as a platform engineer would, an UpdateAddon of the
// aws-efs-csi-driver add-on through the real EKS API lists only the controller's Pod Identity association, which
// (as on AWS) deletes the add-on-owned association of the node ServiceAccount. The next refresh flags it (PI-02:
// no association for the node SA, so its pods fall back to the node instance role), and a real Chromium shows it on the orders-api card and on the fleet page.
import {
  DescribeUpdateCommand,
  EKSClient,
  ListPodIdentityAssociationsCommand,
  UpdateAddonCommand,
} from '@aws-sdk/client-eks';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { launchBrowser, startDemoBackend } from '../lib/backstage.mjs';
import { journey, ROOT, until } from '../lib/journey.mjs';

const j = journey('drift');
const { check } = j;

// The sandbox's `demo` scenario: one account per service (packages/sandbox/scenarios/demo.yaml).
const ACCOUNTS = ['111122223333', '222233334444', '333344445555'];
const ORDERS_ACCOUNT = '111122223333';
const CLUSTER = 'demo-cluster';
const REGION = 'eu-west-1';
const ENTITY = '/entities/default/component/orders-api';
const REFRESH_SECONDS = 20;

await j.run(async () => {
  const require = createRequire(import.meta.url);
  const { startSandbox, adminCredentials } = require(join(ROOT, 'packages', 'sandbox', 'dist', 'index.js'));
  const sandbox = await startSandbox({ scenario: 'demo' });
  j.onCleanup(() => sandbox.stop());
  // The refresh must run at least twice after the update; the timeout may be at most half the frequency.
  const backstage = await startDemoBackend(j, {
    sandbox,
    accounts: ACCOUNTS,
    extraConfig: {
      efsNodeIdentity: {
        kubernetes: 'eks-token',
        refresh: { frequency: { seconds: REFRESH_SECONDS }, timeout: { seconds: REFRESH_SECONDS / 2 } },
      },
    },
  });
  j.say(`Backstage on ${backstage.url} after ${j.seconds()} s`);

  // The first scheduled runs verify the fleet (the catalog fills in shortly after start-up).
  const healthy = await until(
    'orders-api verified by the scheduled refresh',
    async () => {
      const status = await backstage.api(`${ENTITY}/status`);
      return status.state !== 'not-verified' ? status : undefined;
    },
    { timeoutMs: 240_000, everyMs: 1000 },
  );
  check(
    'refresh: orders-api is healthy at first',
    healthy.state === 'ok',
    `${healthy.state}: ${healthy.findings.map((f) => f.ruleId)}`,
  );
  j.say(`orders-api first verified by the refresh after ${j.seconds()} s`);

  const browser = await launchBrowser(j);
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(60_000);
  const cardStatus = page.locator('section[aria-label="Verification status"]');
  await page.goto(`${backstage.url}/catalog/default/component/orders-api`);
  await cardStatus.waitFor();
  check(
    'browser: the orders-api card says Healthy',
    /Healthy/.test(await cardStatus.innerText()),
    await cardStatus.innerText(),
  );
  await page.screenshot({ path: join(j.artifacts, 'orders-api-before.png'), fullPage: true });

  // The drift: an add-on update whose association list leaves out the node ServiceAccount.
  const eks = new EKSClient({
    endpoint: sandbox.url,
    region: REGION,
    credentials: adminCredentials(sandbox.state, ORDERS_ACCOUNT),
  });
  const associations = async () =>
    (
      await eks.send(
        new ListPodIdentityAssociationsCommand({ clusterName: CLUSTER, namespace: 'kube-system' }),
      )
    ).associations ?? [];
  const before = await associations();
  check(
    'EKS: the node SA has its association before the update',
    before.some((a) => a.serviceAccount === 'efs-csi-node-sa'),
    JSON.stringify(before),
  );
  const updatedAt = Date.now();
  const update = await eks.send(
    new UpdateAddonCommand({
      clusterName: CLUSTER,
      addonName: 'aws-efs-csi-driver',
      podIdentityAssociations: [
        {
          serviceAccount: 'efs-csi-controller-sa',
          roleArn: `arn:aws:iam::${ORDERS_ACCOUNT}:role/demo-cluster-efs-csi-controller`,
        },
      ],
    }),
  );
  await until('the add-on update to finish', async () => {
    const described = await eks.send(
      new DescribeUpdateCommand({
        name: CLUSTER,
        addonName: 'aws-efs-csi-driver',
        updateId: update.update.id,
      }),
    );
    if (described.update.status === 'Failed')
      throw new Error(`UpdateAddon failed: ${JSON.stringify(described.update.errors)}`);
    return described.update.status === 'Successful';
  });
  const after = await associations();
  check(
    "EKS: UpdateAddon deleted the node SA's association",
    !after.some((a) => a.serviceAccount === 'efs-csi-node-sa'),
    JSON.stringify(after),
  );

  // The next scheduled run after the update flags it; nothing here asks for a verification.
  const drifted = await until(
    'a refresh after the update',
    async () => {
      const status = await backstage.api(`${ENTITY}/status`);
      return Date.parse(status.lastVerifiedAt ?? '') > updatedAt ? status : undefined;
    },
    { timeoutMs: (REFRESH_SECONDS * 4 + 60) * 1000, everyMs: 1000 },
  );
  const rules = drifted.findings.map((f) => f.ruleId);
  j.say(`refresh after the update at ${j.seconds()} s: ${drifted.state} (${rules.join(', ')})`);
  j.save('orders-api-status-after.json', JSON.stringify(drifted, null, 2));
  check('refresh: orders-api is failing after the update', drifted.state === 'failing', drifted.state);
  check(
    'refresh: PI-02 (no association for the node SA) is reported',
    rules.includes('PI-02'),
    rules.join(', '),
  );
  // Notes aside (the demo inspects live mounts and counts them), PI-02 is the one finding.
  const faults = drifted.findings.filter((f) => f.severity !== 'info');
  check(
    'refresh: PI-02 is the only error or warning, and says the node pods fall back to the instance role',
    faults.length === 1 && faults[0].ruleId === 'PI-02' && /node instance role/.test(faults[0].message),
    drifted.findings.map((f) => `${f.ruleId} ${f.severity}: ${f.message}`).join('\n'),
  );
  const verifyCalls = backstage.process.output().match(/POST [^ ]*\/verify/g) ?? [];
  check('no manual verification was requested', verifyCalls.length === 0, verifyCalls.join(', '));

  // The card and the fleet page, in the browser.
  await page.reload();
  await cardStatus.waitFor();
  await page
    .locator('li[aria-label^="PI-02 error"]')
    .waitFor({ timeout: 30_000 })
    .catch(() => {});
  check(
    'browser: the orders-api card now says Failing',
    /Failing/.test(await cardStatus.innerText()),
    await cardStatus.innerText(),
  );
  check(
    'browser: the card lists PI-02 as an error',
    (await page.locator('li[aria-label^="PI-02 error"]').count()) === 1,
  );
  check(
    'browser: the identity chain marks the Pod Identity association as failing (PI-02)',
    (await page.locator('li[aria-label="Pod Identity association: failing (PI-02)"]').count()) === 1,
  );
  await page.screenshot({ path: join(j.artifacts, 'orders-api-after.png'), fullPage: true });

  await page.goto(`${backstage.url}/efs-node-identity`);
  const table = page.locator('table[aria-label="Fleet"]');
  await table.waitFor();
  const row = table.locator('tr', { hasText: 'orders-api' });
  const rowText = (await row.count()) === 1 ? await row.innerText() : '';
  check('browser: the fleet lists orders-api as Failing', /Failing/.test(rowText), rowText || 'no row');
  check('browser: the fleet row names PI-02', /PI-02/.test(rowText), rowText);
  await page.screenshot({ path: join(j.artifacts, 'fleet-after.png'), fullPage: true });
});
