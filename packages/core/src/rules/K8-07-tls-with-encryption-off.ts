import { isUnknown } from '../model/unknown';
import type { Rule, RuleFinding } from './rule';
import { at, attributeOf, isS3FilesVolume, parseGoBool } from './support';

/**
 * K8-07 (EFS volumes): `tls` in mountOptions while `encryptInTransit` is "false". Driver v3 NodePublishVolume
 * (`pkg/driver/node.go`) lower-cases each mount flag and fails with "Found tls in mountOptions but encryptInTransit
 * is false" — even when an access point turns TLS back on. Only PVs carry a volume context written by the user.
 * S3 Files volumes (`s3files:` handles) are left to the S3 Files half of this rule.
 */
export const K807: Rule = {
  id: 'K8-07',
  severity: 'error',
  title: 'Mount options that driver v3 rejects with the volume context',
  requires: ['S', 'K'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    for (const volume of view.volumes) {
      if (volume.kind !== 'PersistentVolume' || isS3FilesVolume(volume)) continue;
      const tls = volume.mountOptions.find((o) => o.toLowerCase() === 'tls');
      const encrypt = attributeOf(volume, 'encryptInTransit');
      if (!tls || !encrypt) continue;
      const origin = volume.mountOptionOrigin(tls);
      if (isUnknown(encrypt.value)) {
        findings.push({
          message: `${volume.resource} has \`tls\` in mountOptions and an unknown encryptInTransit (${encrypt.value.expression}): if it is "false", driver v3 refuses the mount`,
          origin,
          resource: volume.resource,
          undecidable: true,
        });
        continue;
      }
      if (parseGoBool(encrypt.value) !== false) continue;
      findings.push({
        message:
          `${volume.resource} has \`tls\` in mountOptions while encryptInTransit is "${encrypt.value}" (${at(volume.attributeOrigin(encrypt.key))}): ` +
          `driver v3 refuses every mount of it with "Found tls in mountOptions but encryptInTransit is false"`,
        origin,
        resource: volume.resource,
        fix: `Remove \`tls\` from mountOptions (driver v3 adds it itself), and remove \`${encrypt.key}: "${encrypt.value}"\` too unless the volume must mount without TLS (then \`iam\` cannot be used either).`,
      });
    }
    return findings;
  },
};
