import { isUnknown } from '../model/unknown';
import type { Rule, RuleFinding } from './rule';
import { at, attributeOf, isS3FilesVolume, mountOptionEntry, parseGoBool } from './support';
import type { DriverVolume } from './view';

/**
 * K8-07 (EFS volumes): `tls` in mountOptions while `encryptInTransit` is "false". Driver v3 NodePublishVolume
 * (`pkg/driver/node.go`) lower-cases each mount flag and fails with "Found tls in mountOptions but encryptInTransit
 * is false" — even when an access point turns TLS back on. Only PVs carry a volume context written by the user.
 * S3 Files volumes have their own half (see s3FilesFindings).
 */
export const K807: Rule = {
  id: 'K8-07',
  severity: 'error',
  title: 'Mount options that driver v3 rejects with the volume context',
  requires: ['S', 'K'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    for (const volume of view.volumes) {
      if (isS3FilesVolume(volume)) {
        findings.push(...s3FilesFindings(volume));
        continue;
      }
      if (volume.kind !== 'PersistentVolume') continue;
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

/**
 * The S3 Files half: driver v3 NodePublishVolume (`pkg/driver/node.go`) refuses an S3 Files volume whose context has
 * `encryptInTransit` false ("Encryption in transit cannot be disabled for S3 Files file system") or `crossaccount`
 * true ("Cross-account mounting is not supported for S3 Files file system"), and the `stunnel` mount flag ("stunnel
 * mount option is not supported by S3 Files file system"). Both values are read with Go's strconv.ParseBool. The
 * volume context is the PV's; mount options also come from a StorageClass, whose PVs inherit them.
 */
function s3FilesFindings(volume: DriverVolume): RuleFinding[] {
  const findings: RuleFinding[] = [];
  const checks: Array<{ key: string; refused: boolean; driverMessage: string; fix: string }> = [
    {
      key: 'encryptInTransit',
      refused: false,
      driverMessage: 'Encryption in transit cannot be disabled for S3 Files file system',
      fix: 'Remove `encryptInTransit` from volumeAttributes: S3 Files always mounts with TLS.',
    },
    {
      key: 'crossaccount',
      refused: true,
      driverMessage: 'Cross-account mounting is not supported for S3 Files file system',
      fix: 'Remove `crossaccount` from volumeAttributes; to reach a mount target in another VPC, set `mounttargetip` instead.',
    },
  ];
  if (volume.kind === 'PersistentVolume') {
    for (const check of checks) {
      const attribute = attributeOf(volume, check.key);
      if (!attribute) continue;
      const origin = volume.attributeOrigin(attribute.key);
      if (isUnknown(attribute.value)) {
        findings.push({
          message: `${volume.resource} is an S3 Files volume with an unknown ${attribute.key} (${attribute.value.expression}): if it is "${String(check.refused)}", driver v3 refuses the mount`,
          origin,
          resource: volume.resource,
          undecidable: true,
        });
        continue;
      }
      if (parseGoBool(attribute.value) !== check.refused) continue;
      findings.push({
        message: `${volume.resource} is an S3 Files volume with ${attribute.key}: "${attribute.value}" (${at(origin)}): driver v3 refuses every mount of it with "${check.driverMessage}"`,
        origin,
        resource: volume.resource,
        fix: check.fix,
      });
    }
  }
  const stunnel = mountOptionEntry(volume, 'stunnel');
  if (stunnel !== undefined) {
    const origin = volume.mountOptionOrigin(stunnel);
    findings.push({
      message: `${volume.resource} is an S3 Files volume with \`stunnel\` in mountOptions (${at(origin)}): driver v3 refuses every mount of it with "stunnel mount option is not supported by S3 Files file system"`,
      origin,
      resource: volume.resource,
      fix: 'Remove `stunnel` from mountOptions: efs-utils picks the TLS tunnel for S3 Files itself.',
    });
  }
  return findings;
}
