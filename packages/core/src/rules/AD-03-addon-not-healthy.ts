import { isKnown } from '../model/unknown';
import type { Rule, RuleFinding } from './rule';
import { awsResource, EFS_ADDON } from './identity-support';

/**
 * AD-03: the aws-efs-csi-driver add-on is not ACTIVE or reports health issues (Addon.status / healthIssues, from
 * DescribeAddon; static add-ons have no status and are skipped). A failed update can leave the DaemonSet, the
 * ServiceAccount or the associations in a state other findings do not explain.
 */
export const AD03: Rule = {
  id: 'AD-03',
  severity: 'warning',
  title: 'The EFS CSI add-on is not healthy',
  requires: ['A'],
  check({ snapshot }) {
    const findings: RuleFinding[] = [];
    for (const addon of snapshot.addons) {
      if (addon.name !== EFS_ADDON || addon.status === undefined) continue;
      const issues = addon.healthIssues ?? [];
      if (addon.status === 'ACTIVE' && issues.length === 0) continue;
      const cluster = isKnown(addon.cluster) ? addon.cluster : '<cluster>';
      const version = isKnown(addon.version) ? ` ${addon.version}` : '';
      findings.push({
        message:
          `add-on ${EFS_ADDON}${version} of cluster ${cluster} is ${addon.status}` +
          (issues.length > 0 ? ` with health issues: ${issues.join('; ')}` : '') +
          (addon.modifiedAt ? ` (last updated ${addon.modifiedAt})` : '') +
          `: the DaemonSet, the ServiceAccounts and the add-on's associations may not be what EKS reports, so mount failures that follow may be a symptom of this, not the cause`,
        origin: addon.origin,
        resource: awsResource(addon.origin, `addon/${EFS_ADDON}`),
        fix:
          `aws eks describe-addon --cluster-name ${cluster} --addon-name ${EFS_ADDON} --query 'addon.{status:status,version:addonVersion,issues:health.issues}'\n` +
          `aws eks list-updates --name ${cluster} --addon-name ${EFS_ADDON}\n` +
          `kubectl get daemonset efs-csi-node -n kube-system\n` +
          `Fix what the issue names (ConfigurationConflict: retry the update with --resolve-conflicts OVERWRITE or PRESERVE), then verify again.`,
      });
    }
    return findings;
  },
};
