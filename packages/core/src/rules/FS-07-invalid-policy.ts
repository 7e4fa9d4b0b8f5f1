import type { Rule, RuleFinding } from './rule';
import { fileSystemName } from './support';

/** FS-07: the file system policy is not valid JSON, not a valid policy, or longer than 20,000 characters. */
export const FS07: Rule = {
  id: 'FS-07',
  severity: 'error',
  title: 'The file system policy is not a valid policy',
  requires: ['S', 'A'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    for (const { fileSystem, policy } of view.fileSystemPolicies()) {
      if (fileSystem.type !== 'efs' || policy.problems.length === 0) continue;
      findings.push({
        message: `the file system policy of ${fileSystemName(fileSystem)} is not a valid policy, so PutFileSystemPolicy rejects it: ${policy.problems.join('; ')}`,
        origin: policy.origin,
        resource: fileSystemName(fileSystem),
        fix: 'Correct the document (see the problems above); validate it with `aws accessanalyzer validate-policy --policy-type RESOURCE_POLICY`.',
      });
    }
    return findings;
  },
};
