import type { AwsError } from '../errors';
import type { SandboxRequest, SandboxResponse } from '../http';
import type { CallLog } from '../log';
import type { Account, Credential, SandboxState } from '../state/account';

/** What a service handler gets: the state, the authenticated caller and its account, the region. */
export interface ServiceContext {
  state: SandboxState;
  caller: Credential;
  account: Account;
  region: string;
  log: CallLog;
}

/** One AWS service of the sandbox, speaking its own protocol. */
export interface ServiceModule {
  /** The SigV4 signing name (`iam`, `sts`, `ec2`, `eks`, `elasticfilesystem`, `route53`). */
  signingName: string;
  /** The operation a request asks for (for the call log and faults), or undefined when it names none. */
  operation(request: SandboxRequest): string | undefined;
  handle(request: SandboxRequest, context: ServiceContext): Promise<SandboxResponse> | SandboxResponse;
  /** Renders an error in this service's protocol. */
  error(error: AwsError): SandboxResponse;
  /** The service's own throttling error (EKS/EFS `ThrottlingException` 429, IAM/STS/Route 53 `Throttling`, EC2 `RequestLimitExceeded`). */
  throttlingError(): AwsError;
}
