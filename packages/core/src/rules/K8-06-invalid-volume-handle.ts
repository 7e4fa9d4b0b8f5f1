import { isUnknown } from '../model/unknown';
import type { Rule, RuleFinding } from './rule';
import { parseVolumeHandle } from './view';

/**
 * K8-06: a volumeHandle driver v3 cannot parse. parseVolumeId (`pkg/driver/node.go`) accepts
 * `fs-<8–40 lowercase hex>[:path[:fsap-<8–40 lowercase hex>]]`, and since v3 the same behind an `efs:` or `s3files:`
 * prefix (at most four fields then); an ARN, a bare name or an extra field fails every mount with InvalidArgument.
 */
export const K806: Rule = {
  id: 'K8-06',
  severity: 'error',
  title: 'The PV volumeHandle is not one the driver accepts',
  requires: ['S', 'K'],
  check({ view, snapshot }) {
    const findings: RuleFinding[] = [];
    for (const volume of view.volumes) {
      if (volume.kind !== 'PersistentVolume') continue;
      const pv = snapshot.persistentVolumes.find((p) => p.origin === volume.origin);
      if (!pv) continue;
      const origin = volume.handleOrigin ?? volume.origin;
      if (isUnknown(pv.volumeHandle)) {
        findings.push({
          message: `${volume.resource}: the volumeHandle is unknown (${pv.volumeHandle.expression}), so it cannot be checked against the form driver v3 accepts`,
          origin,
          resource: volume.resource,
          undecidable: true,
        });
        continue;
      }
      const parsed = parseVolumeHandle(pv.volumeHandle);
      if (!('error' in parsed)) continue;
      findings.push({
        message:
          `${volume.resource} has volumeHandle "${pv.volumeHandle}": ${parsed.error}. Driver v3 fails every mount of it ` +
          `with "volume ID … is invalid" (InvalidArgument) and the pod stays in ContainerCreating`,
        origin,
        resource: volume.resource,
        fix:
          'Use the file system ID, optionally with a path and an access point ID: volumeHandle: fs-0123456789abcdef0, ' +
          'fs-0123456789abcdef0:/data, fs-0123456789abcdef0::fsap-0123456789abcdef0 (or behind an efs: / s3files: prefix).',
      });
    }
    return findings;
  },
};
