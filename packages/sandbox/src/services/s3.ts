/**
 * Amazon S3 over REST-XML, path-style (`/<bucket>?policy`, signing name `s3`): the bucket policy of a linked bucket
 * (GetBucketPolicy, PutBucketPolicy, DeleteBucketPolicy), which is all the product reads and what tests write.
 * The real `@aws-sdk/client-s3` reaches it with `forcePathStyle: true` (a loopback endpoint has no bucket
 * subdomains). Error codes and bodies follow the S3 API reference (`<Error><Code/><Message/>…</Error>`).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { normalizePolicy } from '@efs-node-identity/core';
import { AwsError } from '../errors';
import type { SandboxRequest, SandboxResponse } from '../http';
import { escapeXml } from '../protocols/xml';
import type { S3Bucket } from '../state/s3files';
import type { ServiceContext, ServiceModule } from './module';

/** S3's bucket policy size limit (S3 User Guide, "Bucket policies": 20 KB). */
export const MAX_BUCKET_POLICY_BYTES = 20 * 1024;

/** The bucket of a path-style request and whether it asks for the `policy` subresource. */
export function s3Route(request: SandboxRequest): { operation: string; bucket: string } | undefined {
  const match = /^\/([^/]+)\/?$/.exec(request.path);
  if (!match || !request.query.has('policy')) return undefined;
  let bucket = match[1]!;
  try {
    bucket = decodeURIComponent(bucket);
  } catch {
    // a bucket name with a broken escape names no bucket
  }
  const operation =
    request.method === 'GET'
      ? 'GetBucketPolicy'
      : request.method === 'PUT'
        ? 'PutBucketPolicy'
        : request.method === 'DELETE'
          ? 'DeleteBucketPolicy'
          : undefined;
  return operation ? { operation, bucket } : undefined;
}

function s3Error(error: AwsError): SandboxResponse {
  const requestId = randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
  const extra = Object.entries(error.extra)
    .map(([k, v]) => `<${k}>${escapeXml(String(v))}</${k}>`)
    .join('');
  return {
    status: error.status,
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
    body:
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(error.code)}</Code>` +
      `<Message>${escapeXml(error.message)}</Message>${extra}<RequestId>${requestId}</RequestId>` +
      `<HostId>${randomBytes(24).toString('base64')}</HostId></Error>`,
  };
}

const noSuchBucket = (bucket: string) =>
  new AwsError(404, 'NoSuchBucket', 'The specified bucket does not exist', 'Sender', { BucketName: bucket });
const malformedPolicy = (message: string) => new AwsError(400, 'MalformedPolicy', message);

/**
 * The bucket, wherever its owner is: bucket names are global. Guess (simplified): a caller of another account reaches
 * a bucket's policy calls only through a bucket policy that allows it, which the sandbox does not model, so such a
 * call is AccessDenied as S3 answers a non-owner without that grant.
 */
function bucketFor(context: ServiceContext, name: string): S3Bucket {
  for (const account of context.state.accounts.values()) {
    const bucket = account.s3.buckets.get(name);
    if (!bucket) continue;
    if (account.id !== context.account.id) throw new AwsError(403, 'AccessDenied', 'Access Denied');
    return bucket;
  }
  throw noSuchBucket(name);
}

function empty(status: number): SandboxResponse {
  return { status, headers: { 'x-amz-request-id': randomUUID() }, body: '' };
}

function handle(request: SandboxRequest, context: ServiceContext): SandboxResponse {
  const matched = s3Route(request);
  // Guess: the sandbox serves no other S3 operation; S3 answers an operation it does not know with NotImplemented.
  if (!matched)
    throw new AwsError(
      501,
      'NotImplemented',
      `The sandbox serves only the bucket policy calls, not ${request.method} ${request.path}`,
    );
  const bucket = bucketFor(context, matched.bucket);
  switch (matched.operation) {
    case 'GetBucketPolicy':
      if (bucket.policy === undefined)
        throw new AwsError(404, 'NoSuchBucketPolicy', 'The bucket policy does not exist', 'Sender', {
          BucketName: bucket.name,
        });
      // The policy is the whole body (the output's payload member), as stored.
      return {
        status: 200,
        headers: { 'content-type': 'application/json', 'x-amz-request-id': randomUUID() },
        body: bucket.policy,
      };
    case 'PutBucketPolicy': {
      const text = request.body;
      if (Buffer.byteLength(text) > MAX_BUCKET_POLICY_BYTES)
        throw new AwsError(400, 'PolicyTooLarge', 'Policies must be no more than 20 KB in size.');
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw malformedPolicy("Policies must be valid JSON and the first byte must be '{'");
      }
      const document = normalizePolicy(parsed, { kind: 'aws', arn: `arn:aws:s3:::${bucket.name}` });
      const problems = [...(document.problems ?? [])];
      document.statements.forEach((statement, index) => {
        if (!statement.principal && !statement.notPrincipal)
          problems.push(`Statement ${index + 1} has no Principal`);
        if (!statement.resource && !statement.notResource)
          problems.push(`Statement ${index + 1} has no Resource`);
      });
      if (problems.length > 0) throw malformedPolicy(problems.join('; '));
      // Last writer wins: PutBucketPolicy has no revision check.
      bucket.policy = text;
      return empty(204);
    }
    case 'DeleteBucketPolicy':
      // S3 answers 204 whether or not the bucket had a policy.
      delete bucket.policy;
      return empty(204);
    default:
      throw new AwsError(501, 'NotImplemented', `Unknown operation ${matched.operation}`);
  }
}

export const s3: ServiceModule = {
  signingName: 's3',
  operation: (request) => s3Route(request)?.operation,
  handle,
  error: s3Error,
  // S3 throttles with 503 SlowDown (S3 API reference, "Error responses").
  throttlingError: () => new AwsError(503, 'SlowDown', 'Please reduce your request rate.'),
};
