import type { Rule, RuleFinding } from './rule';
import {
  describePod,
  epochSeconds,
  pluginContainer,
  podIdentityInUse,
  podResource,
  rolloutRestart,
  runningNodePods,
} from './identity-support';

export const POD_IDENTITY_VARIABLES = [
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
];

/**
 * PI-06: every running efs-csi-node pod's efs-plugin container carries both Pod Identity variables. EKS adds them
 * to the pod object at admission (pod-id-how-it-works), so the rule reads the pods (Snapshot.pods, live), never the
 * DaemonSet template; efs-utils skips Pod Identity when either is missing and falls back down its chain.
 */
export const PI06: Rule = {
  id: 'PI-06',
  severity: 'error',
  title: 'Running node pods lack the Pod Identity variables',
  requires: ['K'],
  check({ view }) {
    if (!podIdentityInUse(view)) return [];
    const findings: RuleFinding[] = [];
    const association = view.nodeAssociations.find((a) => a.createdAt);
    const associatedAt = epochSeconds(association?.modifiedAt ?? association?.createdAt);
    for (const pod of runningNodePods(view)) {
      const container = pluginContainer(pod);
      if (!container) continue;
      const missing = POD_IDENTITY_VARIABLES.filter((name) => container.env[name] === undefined);
      if (missing.length === 0) continue;
      const created = epochSeconds(pod.createdAt);
      const why =
        view.nodeAssociations.length === 0
          ? 'there is no association for the node SA (PI-02)'
          : associatedAt !== undefined && created !== undefined && created < associatedAt
            ? `the pod predates the association (${association?.modifiedAt ?? association?.createdAt}, PI-07)`
            : 'check that the association names this ServiceAccount (PI-03) and restart the pod';
      findings.push({
        message:
          `${describePod(pod)}: container efs-plugin lacks ${missing.join(' and ')}, so efs-utils skips Pod Identity and mounts with the node instance role ` +
          `without any error; ${why}`,
        origin: pod.origin,
        resource: podResource(pod),
        fix: `EKS adds the variables only when a pod is admitted; recreate the node pods:\n${rolloutRestart([pod])}\nIf restarted pods still lack them, fix PI-02/PI-03 first.`,
      });
    }
    return findings;
  },
};
