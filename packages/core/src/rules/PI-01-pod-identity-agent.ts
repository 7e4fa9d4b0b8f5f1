import type { Addon, DaemonSet } from '../model/snapshot';
import { isKnown } from '../model/unknown';
import type { Rule, RuleFinding } from './rule';
import { clusterResource, podIdentityInUse } from './identity-support';

export const AGENT = 'eks-pod-identity-agent';

/**
 * PI-01: with Pod Identity in use for the node SA, the EKS Pod Identity Agent must run: add-on
 * `eks-pod-identity-agent` ACTIVE (DescribeAddon status), or its DaemonSet in kube-system with every desired pod
 * ready (DaemonSet status). Without it the credential call of efs-utils fails and its chain (aws_credentials.py)
 * falls back to the node instance role. Without Kubernetes input a self-managed agent is invisible: the rule then
 * judges the add-on alone and says nothing when there is none.
 */
export const PI01: Rule = {
  id: 'PI-01',
  severity: 'error',
  title: 'The EKS Pod Identity Agent is not installed or not healthy',
  requires: ['A', 'K'],
  check({ view, snapshot }) {
    if (!podIdentityInUse(view)) return [];
    const cluster = clusterResource(view);
    const addon = snapshot.addons.find((a) => a.name === AGENT && a.status !== undefined);
    if (addon?.status === 'ACTIVE') return [];
    const daemonSet = snapshot.daemonSets.find(
      (d) => d.name === AGENT && (d.namespace === 'kube-system' || !isKnown(d.namespace)),
    );
    if (daemonSet && ready(daemonSet)) return [];
    if (!addon && !snapshot.inputs.includes('K')) return [];
    const facts = [addon ? describeAddon(addon) : `no add-on ${AGENT}`];
    if (snapshot.inputs.includes('K'))
      facts.push(daemonSet ? describeDaemonSet(daemonSet) : `no DaemonSet kube-system/${AGENT}`);
    const finding: RuleFinding = {
      message:
        `the node SA uses EKS Pod Identity, but the Pod Identity Agent of ${cluster.name ?? cluster.resource} is not running healthy (${facts.join('; ')}): ` +
        `on nodes without a ready agent pod the credential call of efs-utils to 169.254.170.23 fails and it mounts with the node instance role ` +
        `("access denied by server", or mounts that work for the wrong reason)`,
      origin: addon?.origin ?? daemonSet?.origin ?? cluster.origin,
      resource: cluster.resource,
      fix:
        (addon
          ? `Fix what the add-on reports:\n  aws eks describe-addon --cluster-name ${cluster.name ?? '<cluster>'} --addon-name ${AGENT} --query 'addon.{status:status,issues:health.issues}'\n`
          : `Install the agent:\n  aws eks create-addon --cluster-name ${cluster.name ?? '<cluster>'} --addon-name ${AGENT}\n`) +
        `  kubectl rollout status daemonset ${AGENT} -n kube-system\n` +
        `If agent pods crash, the node instance role needs eks-auth:AssumeRoleForPodIdentity (PI-09). Then restart the node pods:\n` +
        `  kubectl rollout restart daemonset efs-csi-node -n kube-system`,
    };
    return [finding];
  },
};

function ready(daemonSet: DaemonSet): boolean {
  const status = daemonSet.status;
  return !!status && status.desiredNumberScheduled > 0 && status.numberReady >= status.desiredNumberScheduled;
}

function describeAddon(addon: Addon): string {
  const issues = addon.healthIssues ?? [];
  return `add-on ${AGENT}${isKnown(addon.version) ? ` ${addon.version}` : ''} is ${addon.status}${issues.length > 0 ? ` with health issues: ${issues.join('; ')}` : ''}`;
}

function describeDaemonSet(daemonSet: DaemonSet): string {
  const status = daemonSet.status;
  if (!status) return `DaemonSet kube-system/${AGENT} has no status`;
  return `DaemonSet kube-system/${AGENT} has ${status.numberReady} of ${status.desiredNumberScheduled} pods ready`;
}
