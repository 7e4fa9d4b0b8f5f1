import type { Rule, RuleFinding } from './rule';

/**
 * K8-03: `crossaccount` in mountOptions. Driver v3 validates mount options and rejects it there (CHANGELOG-3.x,
 * v3.0.0): it belongs in the provisioner secret (dynamic) or the PV's volumeAttributes (static).
 */
export const K803: Rule = {
  id: 'K8-03',
  severity: 'error',
  title: '`crossaccount` in mountOptions (rejected by driver v3)',
  requires: ['S', 'K'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    for (const volume of view.volumes) {
      const option = volume.mountOptions.find((o) => o.trim().toLowerCase().startsWith('crossaccount'));
      if (!option) continue;
      const where =
        volume.kind === 'StorageClass'
          ? 'set `crossaccount: "true"` in the provisioner secret (csi.storage.k8s.io/provisioner-secret-name) instead'
          : 'set `crossaccount: "true"` under spec.csi.volumeAttributes instead';
      findings.push({
        message: `${volume.resource} has \`${option}\` in mountOptions: driver v3 rejects the mount ("crossaccount" is not a mount option); ${where}`,
        origin: volume.mountOptionOrigin(option),
        resource: volume.resource,
        fix: `Remove \`${option}\` from mountOptions and ${where.replace(/ instead$/, '')}.`,
      });
    }
    return findings;
  },
};
