import { MAX_FILE_SYSTEM_POLICY_LENGTH, normalizePolicy, type PolicyDocument } from '@efs-node-identity/core';
import type { AwsError } from '../errors';

/**
 * Checks a file system policy as sent to PutFileSystemPolicy (EFS and Amazon S3 Files alike): at most 20,000
 * characters of text, valid JSON, a valid policy whose every statement names a principal (a resource-based policy
 * names whom each statement is about; IAM's validator refuses one without). `invalid` builds the service's own error.
 */
export function checkFileSystemPolicy(
  policy: string,
  fileSystemArn: string,
  invalid: (message: string) => AwsError,
): PolicyDocument {
  // The limit counts characters of the text as sent (the core's FS-07 measures the same way).
  if (policy.length > MAX_FILE_SYSTEM_POLICY_LENGTH) {
    throw invalid(
      `Policy size of ${policy.length} characters exceeds the maximum of ${MAX_FILE_SYSTEM_POLICY_LENGTH}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(policy);
  } catch (error) {
    throw invalid(`Policy is not valid JSON: ${(error as Error).message}`);
  }
  const document = normalizePolicy(parsed, { kind: 'aws', arn: fileSystemArn });
  const problems = [...(document.problems ?? [])];
  document.statements.forEach((statement, index) => {
    if (!statement.principal && !statement.notPrincipal)
      problems.push(`Statement ${index + 1} has no Principal`);
  });
  if (problems.length > 0) throw invalid(`Policy is not a valid policy: ${problems.join('; ')}`);
  return document;
}
