import { isKnown } from '../model/unknown';
import { decideClientAccess } from '../policy/decisions';
import { nodePermissionsPolicy } from '../policy/generate';
import type { Rule, RuleFinding } from './rule';
import { at, nodePrincipalsFor } from './support';
import {
  s3FileSystemArnFor,
  s3FileSystemFor,
  s3FilesMountContext,
  s3FilesPoliciesOf,
  s3FilesVolumes,
  S3FILES_CLIENT_MOUNT,
  S3FILES_CLIENT_WRITE,
} from './s3files-support';

/**
 * S3F-01: for each S3 Files volume, the node role may `s3files:ClientMount` (and ClientWrite for a read-write volume)
 * on that file system. S3 Files accepts an Allow in either the identity policy or the file system policy (S3 User
 * Guide "How S3 Files works with IAM"), an explicit Deny in either wins, and there is no anonymous fallback: efs-utils
 * always mounts S3 Files with `iam`.
 */
export const S3F01: Rule = {
  id: 'S3F-01',
  severity: 'error',
  title: 'The node role may not mount the S3 file system',
  requires: ['S', 'A'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    const reported = new Set<string>();
    for (const volume of s3FilesVolumes(view)) {
      if (!isKnown(volume.fileSystemId)) continue;
      const id = volume.fileSystemId;
      const fileSystem = s3FileSystemFor(view, id);
      const where = `${volume.resource} (${at(volume.origin)})`;
      for (const { binding, principal } of nodePrincipalsFor(view, { fileSystem, volume })) {
        const { policies, opaque } = s3FilesPoliciesOf(view, binding);
        const fsPolicy = fileSystem?.policy;
        // Nothing about the node role's permissions or the file system policy is in the inputs: absent, not wrong.
        if (policies.length === 0 && opaque.length === 0 && !binding.role && !fsPolicy) continue;
        const fsArn = s3FileSystemArnFor(view, id, principal.accountId);
        if (!fsArn) {
          if (!reported.has(`${principal.arn}|${id}`)) {
            reported.add(`${principal.arn}|${id}`);
            findings.push({
              message: `cannot check whether ${principal.arn} may mount the S3 file system ${id} for ${where}: its region and account are not in the files`,
              origin: volume.origin,
              resource: id,
              severity: 'warning',
              undecidable: true,
            });
          }
          continue;
        }
        const actions = volume.readWrite
          ? [S3FILES_CLIENT_MOUNT, S3FILES_CLIENT_WRITE]
          : [S3FILES_CLIENT_MOUNT];
        const key = `${principal.arn}|${id}|${actions.join()}|${volume.accessPointId ?? ''}`;
        if (reported.has(key)) continue;
        reported.add(key);
        const context = s3FilesMountContext(volume, fsArn, principal);
        const results = actions.map((action) => ({
          action,
          ...decideClientAccess({
            principal,
            action,
            fileSystemArn: fsArn,
            identityPolicies: policies,
            // A repository that defines no policy for the file system is read as having none (what the files do
            // not contain is absent): the identity policies must then allow, and the message says so.
            fileSystemPolicy: fsPolicy ?? null,
            context,
            semantics: 'documented',
          }),
        }));
        const denied = results.filter((r) => r.decision === 'explicitDeny');
        const missing = results.filter((r) => r.decision === 'implicitDeny');
        const open = results.filter((r) => r.decision === 'unknown');
        if (denied.length === 0 && missing.length === 0 && open.length === 0) continue;
        const shown = denied.length > 0 ? denied : missing.length > 0 ? missing : open;
        const names = shown.map((r) => r.action).join(' and ');
        // An implicit deny is only certain when the inputs hold the content of every managed policy on the role.
        const undecidable = denied.length === 0 && (missing.length === 0 || opaque.length > 0);
        const failure = shown.some((r) => r.action === S3FILES_CLIENT_MOUNT)
          ? 'fails to mount with "access denied by server"'
          : 'mounts, but every write fails';
        const gaps = [
          ...(fsPolicy === undefined ? ['no file system policy for it is in the inputs'] : []),
          ...(opaque.length > 0 ? [`the content of ${opaque.join(', ')} is not in the inputs`] : []),
        ];
        const why =
          denied.length > 0
            ? `an explicit Deny applies, so ${where} ${failure}`
            : missing.length > 0
              ? `neither its identity policies nor the file system policy allow it${gaps.length > 0 ? ` (${gaps.join('; ')})` : ''}, so ${where} ${failure}`
              : 'a value the decision depends on is unknown';
        const denyOrigin = denied[0]?.trace.find((t) => t.outcome === 'deny' && t.origin)?.origin;
        findings.push({
          message: `the node role ${principal.arn} (bound at ${at(binding.origin)}) may not ${names} on ${fsArn}: ${why}`,
          ...(undecidable ? { severity: 'warning' as const, undecidable: true } : {}),
          origin: denyOrigin ?? volume.origin,
          resource: id,
          trace: shown.flatMap((r) => r.trace),
          fix:
            denied.length > 0
              ? 'Remove or narrow the Deny statement shown in the trace so that it does not match the node role.'
              : `Attach this identity policy to ${principal.arn} (scoped to the file system):\n${JSON.stringify(nodePermissionsPolicy({ fileSystemArns: [fsArn], access: volume.readWrite ? 'write' : 'read' }), null, 2)}`,
        });
      }
    }
    return findings;
  },
};
