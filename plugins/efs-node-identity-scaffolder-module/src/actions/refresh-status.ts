import type { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';

/** The backend plugin whose stored status the entity card and the fleet page show. */
export const STATUS_PLUGIN_ID = 'efs-node-identity';

// Catalog entity names, namespaces and kinds: letters, digits and [-_.], at most 63 characters (the catalog model's
// default validators); they end up in a URL path, so anything else is refused before a request is made.
const REF_PART = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/**
 * `efs-node-identity:refresh-status`: asks the efs-node-identity backend plugin to verify an entity again now, on
 * behalf of the user who started the task, so that its status card and the fleet page show the state an apply left
 * instead of the one stored before it (the scheduled fleet refresh would only catch up at its next run).
 *
 * A refresh that cannot be made (the backend plugin not installed, the entity not annotated, the user not allowed)
 * is logged as a warning and does not fail the task: what the apply changed stays changed and the next scheduled
 * refresh stores the new state.
 */
export function createRefreshStatusAction(options: { discovery: DiscoveryService; auth: AuthService }) {
  return createTemplateAction({
    id: 'efs-node-identity:refresh-status',
    description:
      'Asks the efs-node-identity backend plugin to verify the entity now (POST /entities/…/verify, on behalf of the ' +
      "task's user), so the entity card and the fleet page show the state after an apply; outputs the new state.",
    supportsDryRun: true,
    examples: [
      {
        description: 'Refresh the status card of component:default/payments after efs-node-identity:apply',
        example: `steps:
  - id: refresh-status
    action: efs-node-identity:refresh-status
    input:
      entityRef: component:default/payments`,
      },
    ],
    schema: {
      input: {
        entityRef: (z) =>
          z.string().describe('The entity whose status to refresh, e.g. component:default/payments'),
      },
      output: {
        state: (z) =>
          z
            .string()
            .optional()
            .describe('The state the backend stored: ok, warnings, failing, unverifiable or not-verified'),
      },
    },
    async handler(ctx) {
      let ref: { kind: string; namespace: string; name: string };
      try {
        ref = parseEntityRef(ctx.input.entityRef, { defaultKind: 'component', defaultNamespace: 'default' });
      } catch (error) {
        throw new InputError(`entityRef: ${(error as Error).message}`, { cause: error });
      }
      for (const [key, value] of Object.entries(ref)) {
        if (!REF_PART.test(value)) {
          throw new InputError(`entityRef: the ${key} ${JSON.stringify(value)} is not a catalog ${key}`);
        }
      }
      const entity = `${ref.kind}:${ref.namespace}/${ref.name}`.toLocaleLowerCase('en-US');
      if (ctx.isDryRun) {
        // Verifying stores a status, which a dry run must not change.
        ctx.logger.info(`dry run: would ask the ${STATUS_PLUGIN_ID} backend to verify ${entity} now`);
        return;
      }
      const { token } = await options.auth.getPluginRequestToken({
        onBehalfOf: await ctx.getInitiatorCredentials(),
        targetPluginId: STATUS_PLUGIN_ID,
      });
      const base = await options.discovery.getBaseUrl(STATUS_PLUGIN_ID);
      const url = `${base}/entities/${[ref.namespace, ref.kind, ref.name].map(encodeURIComponent).join('/')}/verify`;
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
          ...(ctx.signal ? { signal: ctx.signal } : {}),
        });
      } catch (error) {
        ctx.logger.warn(
          `could not refresh the status of ${entity}: ${(error as Error).message}; the next scheduled refresh stores it`,
        );
        return;
      }
      if (!response.ok) {
        ctx.logger.warn(
          `could not refresh the status of ${entity}: the ${STATUS_PLUGIN_ID} backend answered ${response.status} ` +
            `(${await errorMessage(response)}); the next scheduled refresh stores it`,
        );
        return;
      }
      const body = (await response.json()) as { state?: unknown };
      if (typeof body.state !== 'string') {
        ctx.logger.warn(`the ${STATUS_PLUGIN_ID} backend answered without a state for ${entity}`);
        return;
      }
      ctx.logger.info(`status of ${entity} refreshed: ${body.state}`);
      ctx.output('state', body.state);
    },
  });
}

/** The message of a Backstage error body (`{ error: { message } }`), else the status text. */
async function errorMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const message = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    if (typeof message === 'string') return message;
  } catch {
    // not JSON: the backend's router has no such route, e.g. the plugin is not installed
  }
  return response.statusText || 'no message';
}
