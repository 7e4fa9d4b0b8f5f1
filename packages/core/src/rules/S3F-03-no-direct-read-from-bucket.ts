import type { FileSystem } from '../model/snapshot';
import { isKnown } from '../model/unknown';
import { evaluatePolicy, type PolicyOutcome } from '../policy/evaluate';
import { nodePermissionsPolicy } from '../policy/generate';
import type { Rule, RuleFinding } from './rule';
import { arnOf, at, hasMountOption, isS3FilesVolume, nodePrincipalsFor } from './support';
import {
  linkedBucketArn,
  s3FileSystemLabel,
  s3FileSystemArnFor,
  s3FilesPoliciesOf,
  s3RequestContext,
  sampleObjectArn,
  S3_GET_OBJECT,
} from './s3files-support';
import type { DriverVolume } from './view';

/**
 * S3F-03: the node role cannot `s3:GetObject` in the linked bucket of an S3 file system its volumes use. Mounts still
 * work, but the client's direct reads from S3 (what AmazonS3ReadOnlyAccess is attached for in the driver's
 * `docs/iam-policy-create.md`: "direct S3 read access … for higher throughput") are off. A volume mounted with
 * `nodirects3read` (aws/efs-utils README) has turned them off on purpose and is not reported.
 */
export const S3F03: Rule = {
  id: 'S3F-03',
  severity: 'warning',
  title: 'The node role cannot read the linked bucket directly',
  requires: ['S', 'A'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    const reported = new Set<string>();
    // The linked bucket is known only from an S3 file system fact (Terraform, CloudFormation, live).
    const byFileSystem = new Map<FileSystem, DriverVolume[]>();
    for (const fileSystem of view.snapshot.fileSystems) {
      if (fileSystem.type !== 's3files' || !linkedBucketArn(fileSystem)) continue;
      const volumes = view
        .volumesOn(fileSystem)
        .filter((v) => isS3FilesVolume(v) && !hasMountOption(v, 'nodirects3read'));
      if (volumes.length > 0) byFileSystem.set(fileSystem, volumes);
    }
    for (const [fileSystem, volumes] of byFileSystem) {
      const bucketArn = linkedBucketArn(fileSystem) as string;
      const prefix = isKnown(fileSystem.bucketPrefix) ? fileSystem.bucketPrefix : undefined;
      const object = sampleObjectArn(bucketArn, prefix);
      // A file system whose ID is known only after apply is named by the ID its volumes give.
      const knownId = isKnown(fileSystem.id)
        ? fileSystem.id
        : volumes.map((v) => v.fileSystemId).find((v): v is string => isKnown(v));
      const id = knownId ?? s3FileSystemLabel(fileSystem);
      for (const { binding, principal } of nodePrincipalsFor(view, { fileSystem, volume: volumes[0] })) {
        if (reported.has(`${principal.arn}|${bucketArn}`)) continue;
        const { policies, opaque } = s3FilesPoliciesOf(view, binding);
        // Nothing of the node role's permissions is in the inputs: absent, not wrong.
        if (policies.length === 0 && opaque.length === 0 && !binding.role) continue;
        const request = {
          principal,
          action: S3_GET_OBJECT,
          resource: object,
          context: s3RequestContext(principal.arn),
        };
        const outcomes: PolicyOutcome[] = policies.map((p) =>
          evaluatePolicy(p.document, request, { name: p.name, hasPrincipals: false }),
        );
        // The bucket policy (live) can deny what the identity allows; S3F-04 reports that Deny as an error.
        const bucketOutcome = fileSystem.bucketPolicy
          ? evaluatePolicy(fileSystem.bucketPolicy, request, { name: 'bucket policy', hasPrincipals: true })
          : undefined;
        const identityDenies = outcomes.some((o) => o.denies === true);
        const denied = identityDenies || bucketOutcome?.denies === true;
        const allowed = outcomes.some((o) => o.allows === true);
        const open =
          outcomes.some((o) => o.allows === 'unknown' || o.denies === 'unknown') || opaque.length > 0;
        if (allowed && !denied) continue;
        if (!denied && open) {
          reported.add(`${principal.arn}|${bucketArn}`);
          findings.push({
            message: `cannot tell whether ${principal.arn} may read ${bucketArn} directly (s3:GetObject), for the S3 file system ${id}: ${opaque.length > 0 ? `the content of ${opaque.join(', ')} is not in the inputs` : 'a value in its policies is unknown'}`,
            undecidable: true,
            origin: policies[0]?.document.origin ?? binding.role?.origin ?? binding.origin,
            resource: id,
          });
          continue;
        }
        reported.add(`${principal.arn}|${bucketArn}`);
        const fsArn =
          arnOf(fileSystem) ?? (knownId ? s3FileSystemArnFor(view, knownId, principal.accountId) : undefined);
        // Only the bucket policy denies what the identity policy allows: that Deny is what to change, not the role.
        const bucketOnly = allowed && !identityDenies && bucketOutcome?.denies === true;
        const why = identityDenies
          ? 'an explicit Deny applies'
          : bucketOnly
            ? "the linked bucket's policy explicitly denies it, although the identity policy allows it (S3F-04 names the statement)"
            : denied
              ? 'an explicit Deny applies'
              : 'no identity policy allows it';
        findings.push({
          message:
            `the node role ${principal.arn} (bound at ${at(binding.origin)}) may not s3:GetObject in ${bucketArn}, the bucket linked to the S3 file system ${id} ` +
            `(${volumes.map((v) => v.resource).join(', ')}): ${why}, so direct reads from S3 are off and every read goes through the file system, with lower throughput for large reads`,
          origin: policies[0]?.document.origin ?? binding.role?.origin ?? binding.origin,
          resource: id,
          trace: [...outcomes.flatMap((o) => o.trace), ...(bucketOutcome?.trace ?? [])],
          fix:
            (bucketOnly
              ? `Exempt ${principal.arn} from the Deny in the bucket policy of ${bucketArn} (for example add it to the statement's \`ArnNotLike aws:PrincipalArn\` list), then \`aws s3api put-bucket-policy --bucket ${bucketArn.split(':').pop()} --policy file://bucket.json\`.`
              : fsArn
                ? `Attach the scoped node policy (it includes the direct reads):\n${JSON.stringify(nodePermissionsPolicy({ fileSystemArns: [fsArn], access: 'write', linkedBuckets: [{ bucket: bucketArn, ...(prefix ? { prefix } : {}) }] }), null, 2)}`
                : `Allow s3:GetObject on ${bucketArn}/${prefix ?? ''}* and s3:ListBucket on ${bucketArn} to the node role.`) +
            '\nIf direct reads are not wanted, mount with the `nodirects3read` option.',
        });
      }
    }
    return findings;
  },
};
