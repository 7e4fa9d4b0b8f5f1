import { decideClientAccess, mountContext } from '../policy/decisions';
import type { Rule, RuleFinding } from './rule';
import { arnOf, at, CLIENT_MOUNT, fileSystemName, hasMountOption, isS3FilesVolume, mountOf } from './support';

/**
 * FS-03: a file system policy exists and a volume on that file system mounts without `iam`. Without `iam` efs-utils
 * sends no credentials, EFS sees an anonymous client, and with a policy in place an anonymous client is denied unless
 * the policy allows Principal "*" (rules.md, Semantics 1 and 2). The evaluator decides it; FS-05 covers the open case.
 */
export const FS03: Rule = {
  id: 'FS-03',
  severity: 'error',
  title: 'A volume mounts without `iam` on a file system with a policy',
  requires: ['S', 'A'],
  check({ view, config }) {
    const findings: RuleFinding[] = [];
    // One finding per volume, even when several files define a policy for its file system.
    const reported = new Set<object>();
    // Which volumes mount without `iam` (S3 Files volumes always have it), worked out once per volume: a volume is
    // visited once per file system fact with its ID.
    const withoutIam = new Set(view.volumes.filter((v) => !isS3FilesVolume(v) && !hasMountOption(v, 'iam')));
    for (const { fileSystem, policy } of view.fileSystemPolicies()) {
      if (fileSystem.type !== 'efs') continue;
      const name = fileSystemName(fileSystem);
      const fsArn = arnOf(fileSystem);
      for (const volume of view.volumesOn(fileSystem)) {
        if (!withoutIam.has(volume) || reported.has(volume)) continue;
        const mount = { ...mountOf(volume, fileSystem), iam: false };
        const result = decideClientAccess({
          principal: { kind: 'anonymous' },
          action: CLIENT_MOUNT,
          fileSystemArn: fsArn ?? `arn:aws:elasticfilesystem:unknown:unknown:file-system/${name}`,
          identityPolicies: [],
          fileSystemPolicy: policy,
          context: mountContext(mount),
          semantics: config.efsPolicySemantics,
        });
        if (result.decision === 'allow') continue;
        reported.add(volume);
        const undecidable = result.decision === 'unknown';
        findings.push({
          message: undecidable
            ? `${volume.resource} mounts ${name} without \`iam\`, and whether the file system policy (${at(policy.origin)}) admits an anonymous client depends on an unknown value`
            : `${volume.resource} mounts ${name} without \`iam\`, so EFS sees an anonymous client, and the file system policy (${at(policy.origin)}) ` +
              `${result.decision === 'explicitDeny' ? 'denies it explicitly' : 'allows no anonymous client'}: every mount fails with "access denied by server"`,
          origin:
            volume.mountOptions.length > 0 ? volume.mountOptionOrigin(volume.mountOptions[0]) : volume.origin,
          resource: volume.resource,
          trace: result.trace,
          ...(undecidable ? { undecidable: true } : {}),
          fix: `Add \`iam\` to the mountOptions of ${volume.resource} so the efs-csi-node pods mount with the node role:\nmountOptions:\n  - iam`,
        });
      }
    }
    return findings;
  },
};
