import type { SandboxRequest, SandboxResponse } from './http';
import { kubeRoute } from './kube/api';
import type { CallLog } from './log';
import type { Faults } from './faults';
import type { SandboxState } from './state/account';

/** What a route may use besides the state: the call log to record its calls, the faults to honour. */
export interface RouteContext {
  log: CallLog;
  faults: Faults;
}

/** Handles a request that is not an AWS API call (the Kubernetes API of each cluster); undefined: not mine. */
export type Route = (
  request: SandboxRequest,
  state: SandboxState,
  context?: RouteContext,
) => Promise<SandboxResponse | undefined> | SandboxResponse | undefined;

/** Routes tried, in order, before the AWS services. */
export const ROUTES: Route[] = [
  // The Kubernetes API of every sandbox cluster: /k8s/<account>/<region>/<cluster>/… (src/kube).
  kubeRoute,
];
