import { isUnknown } from '../model/unknown';
import type { Rule, RuleFinding } from './rule';
import { s3FileSystemLabel } from './s3files-support';

/**
 * S3F-05: the S3 file system policy is not valid JSON, not a valid policy, or longer than the 20,000 characters S3
 * Files accepts (S3 User Guide "Creating file system policies"), so PutFileSystemPolicy rejects it. Beyond the
 * problems every policy can have (found while reading it), an S3 file system policy grants only `s3files:` actions:
 * a statement that names actions of no service S3 Files evaluates (an `elasticfilesystem:` action copied from an
 * EFS policy) never applies.
 */
export const S3F05: Rule = {
  id: 'S3F-05',
  severity: 'error',
  title: 'The S3 file system policy is not a valid policy',
  requires: ['S', 'A'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    for (const { fileSystem, policy } of view.fileSystemPolicies()) {
      if (fileSystem.type !== 's3files') continue;
      const problems = [...policy.problems];
      policy.statements.forEach((statement, index) => {
        const actions = statement.action ?? [];
        const foreign = actions.filter(
          (a): a is string => !isUnknown(a) && a !== '*' && !/^s3files:/i.test(a),
        );
        if (foreign.length > 0 && foreign.length === actions.length) {
          problems.push(
            `statement ${statement.sid ? `\`${statement.sid}\`` : `#${index + 1}`} names no s3files: action (${foreign.join(', ')})`,
          );
        }
      });
      if (problems.length === 0) continue;
      findings.push({
        message: `the policy of the S3 file system ${s3FileSystemLabel(fileSystem)} is not a valid S3 file system policy, so PutFileSystemPolicy rejects it or it does not do what it says: ${problems.join('; ')}`,
        origin: policy.origin,
        resource: s3FileSystemLabel(fileSystem),
        fix: 'Correct the document (see the problems above): actions `s3files:ClientMount`, `s3files:ClientWrite`, `s3files:ClientRootAccess`, a Principal, the file system ARN as Resource, at most 20,000 characters. Validate it with `aws accessanalyzer validate-policy --policy-type RESOURCE_POLICY`.',
      });
    }
    return findings;
  },
};
