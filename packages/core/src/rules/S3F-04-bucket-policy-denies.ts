import type { TraceStep } from '../model/finding';
import type { Origin } from '../model/origin';
import { isKnown } from '../model/unknown';
import { parseRoleArn } from '../policy/arn';
import { evaluatePolicy } from '../policy/evaluate';
import type { Rule, RuleFinding } from './rule';
import { at, knownNodePrincipals, statementName } from './support';
import {
  s3FileSystemLabel,
  linkedBucketArn,
  s3RequestContext,
  sampleObjectArn,
  S3_GET_OBJECT,
  S3_LIST_BUCKET,
} from './s3files-support';

/** What the S3 file system's own role does in the linked bucket: it keeps the file system and the bucket in sync. */
const FILE_SYSTEM_ROLE_ACTIONS = [S3_GET_OBJECT, 's3:PutObject', S3_LIST_BUCKET];

/**
 * S3F-04 (live): the linked bucket's policy explicitly denies the node role (its direct reads) or the IAM role the S3
 * file system itself uses for the bucket. S3 User Guide "How S3 Files works with IAM": the bucket policies of the
 * linked bucket "don't deny access from your compute resource or file system". Only an explicit Deny is reported:
 * same-account access is granted by the identity side, which S3F-03 checks for the node role.
 */
export const S3F04: Rule = {
  id: 'S3F-04',
  severity: 'error',
  title: "The linked bucket's policy denies the node role or the file system's role",
  requires: ['A'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    const nodeRoles = knownNodePrincipals(view).map((p) => p.principal.arn);
    for (const fileSystem of view.snapshot.fileSystems) {
      const bucketPolicy = fileSystem.bucketPolicy;
      const bucketArn = linkedBucketArn(fileSystem);
      if (fileSystem.type !== 's3files' || !bucketPolicy || !bucketArn) continue;
      const prefix = isKnown(fileSystem.bucketPrefix) ? fileSystem.bucketPrefix : undefined;
      const who = [
        ...nodeRoles.map((arn) => ({ arn, as: 'the node role', actions: [S3_GET_OBJECT, S3_LIST_BUCKET] })),
        ...(isKnown(fileSystem.roleArn) && parseRoleArn(fileSystem.roleArn)
          ? [{ arn: fileSystem.roleArn, as: "the file system's own role", actions: FILE_SYSTEM_ROLE_ACTIONS }]
          : []),
      ];
      for (const principal of who) {
        const denied: string[] = [];
        const trace: TraceStep[] = [];
        let denyStep: TraceStep | undefined;
        for (const action of principal.actions) {
          const outcome = evaluatePolicy(
            bucketPolicy,
            {
              principal: { kind: 'aws', arn: principal.arn },
              action,
              resource: action === S3_LIST_BUCKET ? bucketArn : sampleObjectArn(bucketArn, prefix),
              context: s3RequestContext(principal.arn),
            },
            { name: 'bucket policy', hasPrincipals: true },
          );
          if (outcome.denies !== true) continue;
          denied.push(action);
          denyStep ??= outcome.trace.find((t) => t.outcome === 'deny');
          trace.push(...outcome.trace.filter((t) => t.outcome === 'deny'));
        }
        if (denied.length === 0) continue;
        // A policy read from an API has one origin for all its statements: the Sid tells them apart.
        const statementOrigin: Origin | undefined = denyStep?.origin;
        const statement = bucketPolicy.statements.find(
          (s) => s.origin === statementOrigin && (denyStep?.sid === undefined || s.sid === denyStep.sid),
        );
        const consequence =
          principal.as === 'the node role'
            ? 'direct reads from S3 fail and clients fall back to reading through the file system or return errors'
            : 'the file system cannot synchronise with the bucket: writes do not reach S3 and new objects do not appear';
        findings.push({
          message:
            `the policy of ${bucketArn}, linked to the S3 file system ${s3FileSystemLabel(fileSystem)}, denies ${principal.as} ${principal.arn} ${denied.join(', ')}` +
            `${statement ? ` (statement ${statementName(bucketPolicy, statement)}, ${at(statement.origin)})` : ''}: ${consequence}`,
          origin: statementOrigin ?? bucketPolicy.origin,
          resource: bucketArn,
          trace,
          fix: `Exempt ${principal.arn} from the Deny (for example add it to an \`ArnNotLike aws:PrincipalArn\` list of the statement), then \`aws s3api put-bucket-policy --bucket ${bucketArn.split(':').pop()} --policy file://bucket.json\`.`,
        });
      }
    }
    return findings;
  },
};
