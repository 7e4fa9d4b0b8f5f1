import type { SandboxRequest, SandboxResponse } from './http';
import type { SandboxState } from './state/account';

/** Handles a request that is not an AWS API call (the Kubernetes API of each cluster); undefined: not mine. */
export type Route = (request: SandboxRequest, state: SandboxState) => Promise<SandboxResponse | undefined> | SandboxResponse | undefined;

/** Routes tried, in order, before the AWS services. */
export const ROUTES: Route[] = [];
