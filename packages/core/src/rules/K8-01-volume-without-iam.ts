import type { Rule, RuleFinding } from './rule';
import { hasMountOption, isS3FilesVolume } from './support';

/**
 * K8-01: a StorageClass/PV of the driver lacks the `iam` mount option. Without it efs-utils mounts with no
 * credentials at all (aws/efs-utils `mount_efs`: IAM authorization only with `-o iam`), so EFS sees an anonymous
 * client and the node role is never used. S3 Files volumes are exempt: efs-utils always adds `iam` to them.
 */
export const K801: Rule = {
  id: 'K8-01',
  severity: 'warning',
  title: 'A volume mounts without `iam`: the node identity is not used',
  requires: ['S', 'K'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    for (const volume of view.volumes) {
      if (isS3FilesVolume(volume) || hasMountOption(volume, 'iam')) continue;
      const options =
        volume.mountOptions.length > 0
          ? `mountOptions [${volume.mountOptions.join(', ')}] without \`iam\``
          : 'no mountOptions, so no `iam`';
      findings.push({
        message:
          `${volume.resource} has ${options}: efs-utils mounts it as an anonymous client, so the node role ` +
          `bound to the efs-csi-node pods is not used for this volume and a file system policy cannot tell this cluster from any other client`,
        origin:
          volume.mountOptions.length > 0 ? volume.mountOptionOrigin(volume.mountOptions[0]) : volume.origin,
        resource: volume.resource,
        fix: `Add \`iam\` to the ${volume.kind === 'StorageClass' ? 'StorageClass' : 'PersistentVolume'}'s mountOptions:\nmountOptions:\n  - iam`,
      });
    }
    return findings;
  },
};
