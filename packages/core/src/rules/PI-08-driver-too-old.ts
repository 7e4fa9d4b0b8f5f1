import type { Origin } from '../model/origin';
import { isKnown, isUnknown, type Maybe } from '../model/unknown';
import type { Rule, RuleFinding } from './rule';
import { at } from './support';
import { NODE_CONTAINER } from './view';
import { EFS_ADDON, parseVersion, podIdentityInUse, versionBelow } from './identity-support';

const MINIMUM: [number, number, number] = [2, 1, 8];

/**
 * PI-08: driver images older than v2.1.8 bundle efs-utils < 2.3.0, whose credential chain (aws_credentials.py) does
 * not know Pod Identity: every mount silently uses the node instance role. Add-on versions carry the driver version
 * (`v2.1.4-eksbuild.1` installs driver v2.1.4).
 */
export const PI08: Rule = {
  id: 'PI-08',
  severity: 'warning',
  title: 'The EFS CSI driver is too old for Pod Identity',
  requires: ['S', 'K'],
  check({ view }) {
    if (!podIdentityInUse(view)) return [];
    const findings: RuleFinding[] = [];
    const seen = new Set<string>();
    const judge = (what: string, version: Maybe<string> | undefined, origin: Origin, resource: string) => {
      if (version === undefined) return;
      if (isUnknown(version)) {
        findings.push({
          message: `cannot tell the driver version of ${what}: it is ${version.expression}; Pod Identity needs driver v2.1.8 or later`,
          origin,
          resource,
          undecidable: true,
        });
        return;
      }
      const parsed = parseVersion(version);
      if (!parsed || !versionBelow(parsed, MINIMUM) || seen.has(`${resource}|${version}`)) return;
      seen.add(`${resource}|${version}`);
      findings.push({
        message:
          `${what} is ${version} (driver v${parsed.join('.')}), older than v2.1.8: it bundles efs-utils older than 2.3.0, which ignores the Pod Identity ` +
          `credentials and silently mounts with the node instance role, so the dedicated node role is never used`,
        origin,
        resource,
        fix:
          `Upgrade the driver to v2.1.8 or later (v3.4.1 is current), then restart the node pods:\n` +
          `  aws eks update-addon --cluster-name <cluster> --addon-name ${EFS_ADDON} --addon-version <v3.x.y-eksbuild.N> --resolve-conflicts PRESERVE\n` +
          `or with Helm: helm upgrade aws-efs-csi-driver aws-efs-csi-driver/aws-efs-csi-driver -n kube-system --set image.tag=v3.4.1\n` +
          `  kubectl rollout restart daemonset efs-csi-node -n kube-system`,
      });
    };
    for (const ds of view.driverDaemonSets) {
      for (const c of ds.containers.filter((c) => c.name === NODE_CONTAINER)) {
        judge(
          `the image of container ${c.name} in DaemonSet ${isKnown(ds.name) ? ds.name : 'efs-csi-node'} (${at(ds.origin)})`,
          c.image,
          c.imageOrigin ?? ds.origin,
          `DaemonSet/${isKnown(ds.name) ? ds.name : 'efs-csi-node'}`,
        );
      }
    }
    for (const pod of view.snapshot.pods.filter((p) => p.ownerDaemonSet === 'efs-csi-node')) {
      for (const c of pod.containers.filter((c) => c.name === NODE_CONTAINER)) {
        judge(`the image of pod ${pod.namespace}/${pod.name}`, c.image, pod.origin, `DaemonSet/efs-csi-node`);
      }
    }
    for (const addon of view.snapshot.addons.filter((a) => a.name === EFS_ADDON)) {
      judge(
        `the version of add-on ${EFS_ADDON} (${at(addon.origin)})`,
        addon.version,
        addon.origin,
        `addon/${EFS_ADDON}`,
      );
    }
    return findings;
  },
};
