export { createAwsPorts, decodePolicy, isNotFound, type AwsPorts, type AwsPortsOptions } from './aws-ports';
export { eksBearerToken, EKS_TOKEN_PREFIX, type EksTokenOptions } from './eks-token';
export { createKubePort, type KubeAccess, type KubeAdapterOptions } from './kube';
export {
  collectLiveSnapshot,
  ClusterNotFoundError,
  type CollectOptions,
  type CollectResult,
  type CollectStats,
  type UnreadFact,
} from './collect';
export { limiter, memoize, type Limiter } from './limit';
export {
  assumeRolePorts,
  InvalidRoleArnError,
  validateAssumeRoleInput,
  type AssumeRolePortsOptions,
} from './assume-role';
export { openClusterKube, type ClusterKubeOptions } from './cluster-kube';
export {
  createNodePodReads,
  inspectNodePods,
  InspectionError,
  type InspectMountsOptions,
  type NodePodReads,
} from './node-inspect';
export {
  clusterAccountOf,
  collectAndPlan,
  liveExecutorPorts,
  planNeedsKube,
  verifyLive,
  type LiveAccess,
  type LivePlan,
} from './live-plan';
