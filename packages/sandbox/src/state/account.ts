import { emptyEc2State, type Ec2State } from './ec2';
import { emptyEfsState, type EfsState } from './efs';
import { emptyEksState, type EksState } from './eks';
import { emptyIamState, type IamState } from './iam';
import { emptyS3FilesState, emptyS3State, type S3FilesState, type S3State } from './s3files';

/** One AWS account of the sandbox. */
export interface Account {
  id: string;
  iam: IamState;
  eks: EksState;
  efs: EfsState;
  /** EC2 networking and Route 53 hosted zones. */
  ec2: Ec2State;
  /** Amazon S3 Files file systems, their mount targets and access points. */
  s3files: S3FilesState;
  /** S3 buckets (the linked buckets of S3 file systems). */
  s3: S3State;
}

/** Credentials the sandbox accepts: long-term keys of a user, or temporary ones from AssumeRole. */
export interface Credential {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  accountId: string;
  /** `arn:aws:iam::<acct>:user/<name>` or `arn:aws:sts::<acct>:assumed-role/<role>/<session>`. */
  principalArn: string;
  /** For an assumed role: the role's ARN. */
  roleArn?: string;
  expiresAt?: number;
}

export interface SandboxSettings {
  /** How long after creation a Pod Identity association takes effect for new pods (ms). */
  associationDelayMs: number;
  /** How long after creation a new IAM role can be assumed (ms): IAM's eventual consistency. */
  roleDelayMs: number;
  /** Enforce the caller's IAM permissions with the core evaluator. */
  enforcePermissions: boolean;
}

export interface SandboxState {
  accounts: Map<string, Account>;
  credentials: Map<string, Credential>;
  defaultRegion: string;
  settings: SandboxSettings;
  /** Base URL of the server, once listening (cluster endpoints are built from it). */
  baseUrl: string;
  now(): number;
}

export function newAccount(id: string): Account {
  return {
    id,
    iam: emptyIamState(),
    eks: emptyEksState(),
    efs: emptyEfsState(),
    ec2: emptyEc2State(),
    s3files: emptyS3FilesState(),
    s3: emptyS3State(),
  };
}

export function newState(region = 'eu-west-1'): SandboxState {
  return {
    accounts: new Map(),
    credentials: new Map(),
    defaultRegion: region,
    settings: { associationDelayMs: 0, roleDelayMs: 0, enforcePermissions: false },
    baseUrl: '',
    now: () => Date.now(),
  };
}
