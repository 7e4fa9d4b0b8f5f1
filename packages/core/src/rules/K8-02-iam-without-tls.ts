import { isUnknown } from '../model/unknown';
import type { Rule, RuleFinding } from './rule';
import { at, attributeOf, hasMountOption, isS3FilesVolume, mountOptionEntry, volumeTls } from './support';

/**
 * K8-02: `iam` without effective TLS. Driver v3 adds `tls` unless the volume context has `encryptInTransit:
 * "false"`, and always for an access point (`pkg/driver/node.go`, NodePublishVolume); efs-utils then refuses the
 * mount: `The "tls" option is required when mounting via "iam"`. Only PVs: the controller does not copy StorageClass
 * parameters into the volume context (dynamic volumes always use an access point, so TLS is on).
 */
export const K802: Rule = {
  id: 'K8-02',
  severity: 'error',
  title: '`iam` without TLS: the mount helper refuses the mount',
  requires: ['S', 'K'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    for (const volume of view.volumes) {
      if (volume.kind !== 'PersistentVolume' || isS3FilesVolume(volume)) continue;
      const tls = volumeTls(volume);
      if (!hasMountOption(volume, 'iam') || hasMountOption(volume, 'tls') || tls === true) continue;
      const encrypt = attributeOf(volume, 'encryptInTransit');
      const iamEntry = mountOptionEntry(volume, 'iam') as string;
      const origin = encrypt ? volume.attributeOrigin(encrypt.key) : volume.mountOptionOrigin(iamEntry);
      if (tls === 'unknown') {
        findings.push({
          message:
            `${volume.resource} mounts with \`iam\` and its encryptInTransit is ${encrypt && isUnknown(encrypt.value) ? `unknown (${encrypt.value.expression})` : 'unknown'}: ` +
            `if it turns out "false", efs-utils refuses the mount ("tls" option is required when mounting via "iam")`,
          origin,
          resource: volume.resource,
          undecidable: true,
          fix: 'Keep encryptInTransit "true" (or remove it: TLS is the default) for volumes that mount with `iam`.',
        });
        continue;
      }
      findings.push({
        message:
          `${volume.resource} mounts with \`iam\` (${at(volume.mountOptionOrigin(iamEntry))}) but turns TLS off with ` +
          `encryptInTransit "${String(encrypt?.value)}" (${at(origin)}) and has no access point in its volumeHandle: efs-utils refuses the mount ` +
          `with \`The "tls" option is required when mounting via "iam"\` and the pod stays in ContainerCreating`,
        origin,
        resource: volume.resource,
        fix: `Remove \`${encrypt?.key ?? 'encryptInTransit'}: "false"\` from spec.csi.volumeAttributes (TLS is the default in driver v3); IAM authorization needs TLS.`,
      });
    }
    return findings;
  },
};
