import { describeLiveFailure } from './live-failure';

// Errors shaped as the AWS SDK v3 and @kubernetes/client-node throw them (name, message, $metadata / code).
function sdkError(name: string, message: string, status?: number): Error {
  return Object.assign(new Error(message), {
    name,
    ...(status ? { $metadata: { httpStatusCode: status } } : {}),
  });
}

describe('describeLiveFailure', () => {
  it.each([
    [
      sdkError('CredentialsProviderError', 'Could not load credentials from any providers'),
      /^no AWS credentials: Could not load credentials from any providers \(set AWS_PROFILE/,
    ],
    [
      sdkError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403),
      /^the AWS credentials were rejected \(InvalidClientTokenId\): The security token included in the request is invalid$/,
    ],
    [
      sdkError(
        'InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided.',
        403,
      ),
      /^the AWS credentials were rejected \(InvalidSignatureException\): The request signature we calculated/,
    ],
    [
      sdkError(
        'AccessDeniedException',
        'User: arn:aws:iam::1:user/ci is not authorized to perform: eks:DescribeCluster',
        403,
      ),
      /^access denied: User: arn:aws:iam::1:user\/ci is not authorized to perform: eks:DescribeCluster\. verify needs read-only access/,
    ],
    [
      Object.assign(new Error('HTTP-Code: 401'), { code: 401 }),
      /^the Kubernetes API server of prod-eks refused the request \(HTTP 401\)/,
    ],
    [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      /^cannot reach an endpoint for prod-eks in eu-west-1: connect ECONNREFUSED/,
    ],
    [
      sdkError('ThrottlingException', 'Rate exceeded\n    at x (y.js:1:1)'),
      /^could not read prod-eks in eu-west-1: ThrottlingException: Rate exceeded$/,
    ],
  ])('describes %s in one line', (error, expected) => {
    const text = describeLiveFailure(error, 'prod-eks', 'eu-west-1');
    expect(text).toMatch(expected);
    expect(text).not.toContain('\n');
  });

  it('keeps the message of a cluster that does not exist as it is', () => {
    const error = sdkError('ClusterNotFoundError', 'cluster "nope" not found in eu-west-1');
    expect(describeLiveFailure(error, 'nope', 'eu-west-1')).toBe('cluster "nope" not found in eu-west-1');
  });
});
