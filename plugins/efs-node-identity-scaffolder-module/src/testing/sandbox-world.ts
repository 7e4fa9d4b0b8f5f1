import { ConfigReader } from '@backstage/config';
import type { ExecuteOptions } from '@efs-node-identity/core';
import {
  addAccessEntry,
  adminCredentials,
  startSandbox,
  type CallRecord,
  type Sandbox,
} from '@efs-node-identity/sandbox';
import { AwsAccess } from '../live/aws-access';

/**
 * A sandbox world for the action tests: the sandbox on loopback seeded with a scenario, the AWS SDK pointed at it
 * with `AWS_ENDPOINT_URL` (the credentials manager has no endpoint override), and credentials per account from an
 * `aws:` app-config, as a Backstage backend has them. The default credential chain is emptied so that only the
 * config's keys can reach the sandbox.
 */

export const CLUSTER = 'prod-eks';
export const REGION = 'eu-west-1';
export const PLATFORM_ACCOUNT = '111122223333';
export const STORAGE_ACCOUNT = '444455556666';
export const FS = 'fs-0a1b2c3d4e5f60718';

const ENV_KEYS = [
  'AWS_ENDPOINT_URL',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
];

export interface SandboxWorld {
  sandbox: Sandbox;
  /** The `aws:` app-config with the sandbox accounts' keys. */
  awsConfig: Record<string, unknown>;
  aws: AwsAccess;
  /** Executor waits in sandbox time: the sandbox clock moves by what the executor sleeps. */
  executeOptions: Pick<ExecuteOptions, 'sleep' | 'now' | 'pollMs' | 'retry'>;
  /** AWS and Kubernetes calls that change state, as the sandbox answered them. */
  writes(): CallRecord[];
  stop(): Promise<void>;
}

const AWS_WRITE = /^(Create|Put|Update|Delete|Tag|Untag|Attach|Detach|Associate|Disassociate)/;
const KUBE_WRITE = /^(patch|create|update|delete) /;

/** True for a call that changes state in the sandbox. */
export const isWrite = (c: CallRecord) =>
  c.service === 'kubernetes' ? KUBE_WRITE.test(c.operation) : AWS_WRITE.test(c.operation);

export async function openSandboxWorld(scenario: string): Promise<SandboxWorld> {
  let offset = 0;
  const sandbox = await startSandbox({
    scenario,
    seed: (state) => {
      state.now = () => Date.now() + offset;
      // The backend reaches the cluster with an EKS token signed by its own AWS identity, which needs an access
      // entry on the cluster (as in EKS).
      addAccessEntry(state, PLATFORM_ACCOUNT, CLUSTER, {
        principalArn: `arn:aws:iam::${PLATFORM_ACCOUNT}:user/sandbox-admin`,
      });
    },
  });
  const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
  for (const k of ENV_KEYS) delete process.env[k];
  process.env.AWS_ENDPOINT_URL = sandbox.url;
  const account = (id: string) => {
    const keys = adminCredentials(sandbox.state, id);
    return keys
      ? [{ accountId: id, accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey }]
      : [];
  };
  const platform = adminCredentials(sandbox.state, PLATFORM_ACCOUNT)!;
  const awsConfig = {
    mainAccount: { accessKeyId: platform.accessKeyId, secretAccessKey: platform.secretAccessKey },
    accounts: [...account(PLATFORM_ACCOUNT), ...account(STORAGE_ACCOUNT)],
  };
  return {
    sandbox,
    awsConfig,
    aws: AwsAccess.fromConfig(new ConfigReader({ aws: awsConfig })),
    executeOptions: {
      now: () => new Date(sandbox.state.now()),
      sleep: (ms) => {
        offset += ms;
        return new Promise((r) => setTimeout(r, Math.min(ms, 5)));
      },
      pollMs: 20,
      retry: { attempts: 12, baseMs: 10, maxMs: 200 },
    },
    writes: () => sandbox.log.calls.filter(isWrite),
    async stop() {
      for (const k of ENV_KEYS) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
      await sandbox.stop();
    },
  };
}
