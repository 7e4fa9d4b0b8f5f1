// The efs-node-identity self-service template, run through the scaffolder's own pages in the browser the way a
// developer runs it: pick the service, fill the cluster and file systems, choose the delivery, review, create, and
// wait on the task page until the task has finished. Shared by every journey that needs a template run.

/** The template's values as a developer fills them in (the template's parameters, with its defaults left alone). */
export const MEDIA_STORE_FIX = {
  entity: 'media-store',
  cluster: 'demo-cluster',
  region: 'eu-west-1',
  accountId: '222233334444',
  mode: 'EKS Pod Identity',
  fileSystems: [{ id: 'fs-0c2d4e6f8a0b1c3d5', access: 'Read and write (+ ClientWrite)' }],
  delivery: 'Apply now (needs the efs-node-identity.provision permission)',
  annotateEntity: false,
};

/** Picks an option of a Material UI select (a button that opens a listbox), by the option's visible text. */
async function choose(page, label, option) {
  await page.getByRole('button', { name: new RegExp(`^${escape(label)}\\b`) }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Runs the template from its form to the end of the task.
 *
 * @param page a Playwright page of the demo app (signed in)
 * @param options `baseUrl` (http://localhost:3000), `values` (see {@link MEDIA_STORE_FIX}), `screenshot(name)` to
 *   record the steps, `timeoutMs` for the task (default 5 minutes)
 * @returns `{ status, taskUrl, log }`: the task's final status (`completed`, `failed`…), its page, and its event log
 *   (one message a line, as the task page's log shows it)
 */
export async function runEfsNodeIdentityTemplate(page, options) {
  const { baseUrl, values, screenshot = async () => {}, timeoutMs = 300_000 } = options;
  await page.goto(`${baseUrl}/create/templates/default/efs-node-identity`);

  // Step 1: the service, from the catalog (EntityPicker: an autocomplete over the catalog's components).
  const service = page.getByRole('textbox', { name: 'Service' });
  await service.click();
  await service.fill(values.entity);
  await page.getByRole('option', { name: values.entity, exact: true }).click();
  await page.getByRole('button', { name: 'Next' }).click();

  // Step 2: the cluster and its file systems (the array starts with one item: minItems 1).
  await page.getByRole('textbox', { name: 'EKS cluster' }).fill(values.cluster);
  await page.getByRole('textbox', { name: 'Region' }).fill(values.region);
  await page.getByRole('textbox', { name: 'Cluster account' }).fill(values.accountId);
  await choose(page, 'Identity mode', values.mode);
  for (const [index, fileSystem] of values.fileSystems.entries()) {
    if (index > 0) await page.getByRole('button', { name: 'Add Item' }).click();
    await page.getByRole('textbox', { name: 'File system ID' }).nth(index).fill(fileSystem.id);
    await page
      .getByRole('button', { name: /^Access\b/ })
      .nth(index)
      .click();
    await page.getByRole('option', { name: fileSystem.access, exact: true }).click();
  }
  await screenshot('template-cluster');
  await page.getByRole('button', { name: 'Next' }).click();

  // Step 3: the delivery, and whether to open the catalog-info pull request (the demo's catalog is a local file).
  await choose(page, 'How to deliver', values.delivery);
  const annotate = page.getByRole('checkbox', { name: 'Annotate the service' });
  if ((await annotate.isChecked()) !== values.annotateEntity) await annotate.click();
  await page.getByRole('button', { name: 'Review' }).click();

  // Review, then create: the scaffolder opens the task's page.
  await screenshot('template-review');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.waitForURL(/\/create\/tasks\/[^/]+$/);
  const taskUrl = page.url();
  const status = await waitForTask(page, baseUrl, taskUrl, timeoutMs);
  const events = await scaffolderApi(page, `${baseUrl}/api/scaffolder/v2/tasks/${taskId(taskUrl)}/events`);
  const log = (Array.isArray(events) ? events : [])
    .map((e) => e.body?.message ?? '')
    .join('\n')
    // The scaffolder's task logger colours the level names: ANSI colour codes (ESC [ … m) are dropped.
    // eslint-disable-next-line no-control-regex
    .replace(/\x1b\[[0-9;]*m/g, '');
  return { status, taskUrl, log };
}

const taskId = (taskUrl) => taskUrl.slice(taskUrl.lastIndexOf('/') + 1);

/** GETs a scaffolder API URL with the page's guest session (the demo signs every visitor in as the guest). */
function scaffolderApi(page, url) {
  return page.evaluate(async (target) => {
    const session = await fetch('/api/auth/guest/refresh', {
      headers: { 'x-requested-with': 'XMLHttpRequest' },
    }).then((r) => r.json());
    const res = await fetch(target, {
      headers: { authorization: `Bearer ${session.backstageIdentity.token}` },
    });
    return res.ok ? res.json() : { error: `http ${res.status}` };
  }, url);
}

/** Waits until the task has finished (what its page polls too) and returns its status. */
async function waitForTask(page, baseUrl, taskUrl, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const task = await scaffolderApi(page, `${baseUrl}/api/scaffolder/v2/tasks/${taskId(taskUrl)}`);
    const status = task.status ?? task.error;
    if (['completed', 'failed', 'cancelled'].includes(status)) return status;
    if (Date.now() > deadline)
      throw new Error(`the task at ${taskUrl} is still ${status} after ${timeoutMs / 1000} s`);
    await page.waitForTimeout(1000);
  }
}
