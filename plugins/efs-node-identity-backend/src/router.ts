import { createHash } from 'node:crypto';
import type {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import { AuthorizeResult, type AuthorizePermissionRequest } from '@backstage/plugin-permission-common';
import {
  efsNodeIdentityProvisionPermission,
  efsNodeIdentityStatusReadPermission,
  VERIFICATION_STATES,
  type VerificationState,
} from '@efs-node-identity/backstage-plugin-common';
import express from 'express';
import Router from 'express-promise-router';
import type { EntityStatusService } from './service/EntityStatusService';

export interface RouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  service: EntityStatusService;
}

// Entity ref parts as the catalog accepts them: kind letters/digits, namespace and name of at most 63 characters of
// letters, digits and -_. (catalog-model's default validators), checked before they reach the catalog or a log.
const KIND = /^[a-zA-Z][a-zA-Z0-9]{0,62}$/;
const NAME = /^[a-zA-Z0-9]([-_.a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$/;
const FLEET_MAX_LIMIT = 500;

interface StatusBody {
  text: string;
  etag: string;
}

function entityRefFrom(params: Record<string, string>): CompoundEntityRef {
  const { namespace, kind, name } = params as { namespace: string; kind: string; name: string };
  if (!KIND.test(kind)) throw new InputError(`"${kind}" is not an entity kind`);
  if (!NAME.test(namespace)) throw new InputError(`"${namespace}" is not an entity namespace`);
  if (!NAME.test(name)) throw new InputError(`"${name}" is not an entity name`);
  return { kind: kind.toLocaleLowerCase('en-US'), namespace: namespace.toLocaleLowerCase('en-US'), name };
}

/** Throws NotAllowedError (403) unless every request is allowed: the handlers call nothing else before this. */
async function authorizeAll(
  permissions: PermissionsService,
  credentials: BackstageCredentials,
  requests: AuthorizePermissionRequest[],
): Promise<void> {
  const decisions = await permissions.authorize(requests, { credentials });
  const denied = decisions.findIndex((d) => d.result !== AuthorizeResult.ALLOW);
  if (denied >= 0) throw new NotAllowedError(`not allowed: ${requests[denied]!.permission.name}`);
}

function integerParam(value: unknown, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value) || Number(value) > max) {
    throw new InputError(`${name} must be an integer from 0 to ${max}`);
  }
  return Number(value);
}

/**
 * Sends a status answer as JSON. The service answers the same object for as long as it caches it, so its JSON text
 * and ETag are made once per answer, not per request (a WeakMap: they go when the service drops the answer). Express
 * answers 304 when the client's If-None-Match matches the ETag, as it does for the ones it makes itself.
 */
function sendStatus(res: express.Response, bodies: WeakMap<object, StatusBody>, status: object): void {
  let body = bodies.get(status);
  if (!body) {
    const text = JSON.stringify(status);
    body = { text, etag: `W/"${createHash('sha1').update(text).digest('base64url')}"` };
    bodies.set(status, body);
  }
  res.type('application/json').set('ETag', body.etag).send(body.text);
}

/**
 * The HTTP API (mounted at /api/efs-node-identity): validate the input, authorize the caller, call the service, answer
 * JSON. Errors are @backstage/errors types, which the backend's error handler turns into their HTTP status.
 */
export async function createRouter(options: RouterOptions): Promise<express.Router> {
  const { httpAuth, permissions, service } = options;
  const router = Router();
  router.use(express.json());
  const statusBodies = new WeakMap<object, StatusBody>();

  router.get('/entities/:namespace/:kind/:name/status', async (req, res) => {
    const ref = entityRefFrom(req.params);
    const credentials = await httpAuth.credentials(req, { allow: ['user', 'service'] });
    await authorizeAll(permissions, credentials, [
      { permission: catalogEntityReadPermission, resourceRef: `${ref.kind}:${ref.namespace}/${ref.name}` },
      { permission: efsNodeIdentityStatusReadPermission },
    ]);
    sendStatus(res, statusBodies, await service.getStatus(ref, credentials));
  });

  router.post('/entities/:namespace/:kind/:name/verify', async (req, res) => {
    const ref = entityRefFrom(req.params);
    const credentials = await httpAuth.credentials(req, { allow: ['user', 'service'] });
    await authorizeAll(permissions, credentials, [
      { permission: catalogEntityReadPermission, resourceRef: `${ref.kind}:${ref.namespace}/${ref.name}` },
      { permission: efsNodeIdentityProvisionPermission },
    ]);
    res.json(await service.verifyNow(ref, credentials));
  });

  router.get('/fleet', async (req, res) => {
    const { cluster, state } = req.query;
    if (cluster !== undefined && (typeof cluster !== 'string' || !/^[\w:/.-]{1,255}$/.test(cluster))) {
      throw new InputError('cluster must be an EKS cluster name or ARN');
    }
    if (state !== undefined && !VERIFICATION_STATES.includes(state as VerificationState)) {
      throw new InputError(`state must be one of ${VERIFICATION_STATES.join(', ')}`);
    }
    const offset = integerParam(req.query.offset, 'offset', 0, 1_000_000);
    const limit = integerParam(req.query.limit, 'limit', 50, FLEET_MAX_LIMIT);
    const credentials = await httpAuth.credentials(req, { allow: ['user', 'service'] });
    await authorizeAll(permissions, credentials, [{ permission: efsNodeIdentityStatusReadPermission }]);
    res.json(
      await service.listFleet(
        {
          ...(cluster ? { cluster: cluster as string } : {}),
          ...(state ? { state: state as VerificationState } : {}),
          offset,
          limit,
        },
        credentials,
      ),
    );
  });

  return router;
}
