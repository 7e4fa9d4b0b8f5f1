import { isKnown, isUnknown, show } from '../model/unknown';
import { parseRoleArn } from '../policy/arn';
import type { Rule, RuleFinding } from './rule';
import {
  at,
  clusterAccountOf,
  isS3FilesVolume,
  parseGoBool,
  PROVISIONER_SECRET_NAME,
  PROVISIONER_SECRET_NAMESPACE,
  provisionerSecretOf,
} from './support';

/**
 * K8-05: a cross-account StorageClass the controller cannot provision with. Driver v3 CreateVolume
 * (`pkg/driver/controller.go`) needs `provisioningMode: efs-ap`, reads `awsRoleArn`, `externalId` and `crossaccount`
 * (strconv.ParseBool, "crossaccount parameter must have boolean value.") from the provisioner secret, and without an
 * `awsRoleArn` calls EFS in the cluster's own account, where the other account's file system does not exist.
 */
export const K805: Rule = {
  id: 'K8-05',
  severity: 'error',
  title: 'A cross-account StorageClass the controller cannot provision with',
  requires: ['S', 'K'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    for (const volume of view.volumes) {
      if (volume.kind !== 'StorageClass' || isS3FilesVolume(volume)) continue;
      const clusterAccount = clusterAccountOf(view, volume.origin);
      const ref = provisionerSecretOf(view, volume);
      const fsAccount = view
        .fileSystemsWithId(volume.fileSystemId)
        .map((f) => f.accountId)
        .find(isKnown);
      const foreign = fsAccount !== undefined && clusterAccount !== undefined && fsAccount !== clusterAccount;
      if (!ref && !foreign) continue;
      const push = (message: string, origin = volume.origin, fix?: string) =>
        findings.push({
          message: `${volume.resource}: ${message}`,
          origin,
          resource: volume.resource,
          ...(fix ? { fix } : {}),
        });
      const secretFix =
        `Reference a Secret that holds the role the controller assumes in the file system's account:\nparameters:\n  ` +
        `${PROVISIONER_SECRET_NAME}: x-account\n  ${PROVISIONER_SECRET_NAMESPACE}: kube-system`;
      const mode = volume.attributes.provisioningMode;
      if (isKnown(mode) && mode !== 'efs-ap') {
        push(
          `cross-account provisioning needs \`provisioningMode: efs-ap\`, not "${mode}": CreateVolume fails`,
          volume.attributeOrigin('provisioningMode'),
          'Set provisioningMode: efs-ap.',
        );
      }
      if (!ref) {
        push(
          `file system ${String(volume.fileSystemId)} is in account ${fsAccount}, the cluster in ${clusterAccount}, but the StorageClass names no provisioner secret: ` +
            `the controller looks the file system up in its own account and every PVC stays Pending`,
          volume.origin,
          secretFix,
        );
        continue;
      }
      if (ref.name === undefined || ref.namespace === undefined) {
        push(
          `${ref.name === undefined ? PROVISIONER_SECRET_NAME : PROVISIONER_SECRET_NAMESPACE} is missing: the external-provisioner needs both the secret's name and namespace`,
          ref.origin,
          secretFix,
        );
        continue;
      }
      const secret = ref.secret;
      if (!secret) continue; // The Secret is not in these files: static absence is not a fault.
      const where = `Secret ${show(ref.namespace)}/${show(ref.name)} (${at(secret.origin)})`;
      const role = secret.data.awsRoleArn;
      if (role === undefined) {
        push(
          `${where} has no \`awsRoleArn\`: the controller calls EFS with its own credentials in its own account and cannot create access points on the other account's file system`,
          secret.origin,
          'Add `awsRoleArn: arn:aws:iam::<file system account>:role/<role>` to the Secret.',
        );
      } else if (isUnknown(role)) {
        findings.push({
          message: `${volume.resource}: \`awsRoleArn\` in ${where} is unknown (${role.expression})`,
          origin: secret.origin,
          resource: volume.resource,
          undecidable: true,
        });
      } else {
        const parsed = parseRoleArn(role);
        if (!parsed)
          push(
            `\`awsRoleArn\` in ${where} is "${role}", not an IAM role ARN: the controller cannot assume it`,
            secret.dataOrigins?.awsRoleArn ?? secret.origin,
            'Set awsRoleArn to arn:aws:iam::<account>:role/<name>.',
          );
        else if (fsAccount !== undefined && parsed.accountId !== fsAccount) {
          push(
            `\`awsRoleArn\` in ${where} is in account ${parsed.accountId}, but file system ${String(volume.fileSystemId)} is in account ${fsAccount}: access points cannot be created with it`,
            secret.dataOrigins?.awsRoleArn ?? secret.origin,
            `Use a role in account ${fsAccount}.`,
          );
        }
      }
      const crossaccount = secret.data.crossaccount;
      if (isKnown(crossaccount) && parseGoBool(crossaccount) === undefined) {
        push(
          `\`crossaccount\` in ${where} is "${crossaccount}", not a boolean: CreateVolume fails with "crossaccount parameter must have boolean value."`,
          secret.dataOrigins?.crossaccount ?? secret.origin,
          'Set crossaccount: "true" or "false".',
        );
      }
    }
    return findings;
  },
};
