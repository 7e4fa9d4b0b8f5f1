import { AwsError } from '../errors';
import type { SandboxRequest } from '../http';
import { queryError, queryResponse } from '../protocols/query';
import type { ServiceModule } from './module';

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** STS over the query protocol. */
export const sts: ServiceModule = {
  signingName: 'sts',
  operation: (request: SandboxRequest) => request.form?.get('Action') ?? undefined,
  handle(request, context) {
    const action = request.form?.get('Action');
    switch (action) {
      case 'GetCallerIdentity':
        return queryResponse(action, NS, {
          Arn: context.caller.principalArn,
          UserId: context.caller.accessKeyId,
          Account: context.caller.accountId,
        });
      default:
        throw new AwsError(400, 'InvalidAction', `Could not find operation ${action ?? '(none)'} for version 2011-06-15`);
    }
  },
  error: (error) => queryError(error, NS),
  throttlingError: () => new AwsError(400, 'Throttling', 'Rate exceeded'),
};
