import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { ROLE_ARN } from '@efs-node-identity/core';
import { createAwsPorts, type AwsPorts, type AwsPortsOptions } from './aws-ports';

export interface AssumeRolePortsOptions {
  /** The role in the other account (the file system's), validated before any call. */
  roleArn: string;
  /** Sent as `ExternalId` when the role's trust requires one (sts:ExternalId). */
  externalId?: string;
  region: string;
  /** Who assumes the role; default: the SDK's default provider chain. */
  credentials?: AwsPortsOptions['credentials'];
  /** Counts AssumeRole and every call of the returned ports (the run's call count covers both accounts). */
  onCall?: AwsPortsOptions['onCall'];
  sessionName?: string;
  maxAttempts?: number;
}

/** The same pattern STS applies to ExternalId; checked here so a malformed value never reaches a request. */
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

export class InvalidRoleArnError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRoleArnError';
  }
}

/** Throws when `arn` is not an IAM role ARN or `externalId` is not one STS accepts (before any call). */
export function validateAssumeRoleInput(arn: string, externalId?: string): void {
  if (!ROLE_ARN.test(arn))
    throw new InvalidRoleArnError(`"${arn}" is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`);
  if (externalId !== undefined && !EXTERNAL_ID.test(externalId)) {
    throw new InvalidRoleArnError(
      'the external ID must be 2–1224 characters of letters, digits and +=,.@:/-',
    );
  }
}

/**
 * Ports of another account (a cross-account file system's), through one STS AssumeRole made with the default
 * credential chain. The session lasts an hour, longer than a verify run; the temporary keys live only in the returned
 * clients and are never logged.
 */
export async function assumeRolePorts(options: AssumeRolePortsOptions): Promise<AwsPorts> {
  validateAssumeRoleInput(options.roleArn, options.externalId);
  const sts = new STSClient({
    region: options.region,
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? 6,
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  try {
    options.onCall?.('sts', 'AssumeRole');
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: options.roleArn,
        RoleSessionName: options.sessionName ?? 'efs-node-identity-verify',
        DurationSeconds: 3600,
        ...(options.externalId !== undefined ? { ExternalId: options.externalId } : {}),
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey)
      throw new Error(`AssumeRole ${options.roleArn} returned no credentials`);
    return createAwsPorts({
      region: options.region,
      credentials: {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
        ...(c.Expiration ? { expiration: c.Expiration } : {}),
      },
      ...(options.onCall ? { onCall: options.onCall } : {}),
      ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    });
  } finally {
    sts.destroy();
  }
}
