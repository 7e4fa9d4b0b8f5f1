// The sandbox as a user starts it: the CLI `efs-node-identity sandbox --scenario <name>` as its own process, which
// prints the `export` lines for the AWS SDK and KUBECONFIG, one `# account <id>: …` line per other account of the
// scenario, and `sandbox ready`.
import { CLI_BIN } from './journey.mjs';

/**
 * Starts `efs-node-identity sandbox` under the journey (stopped at its end) and returns the environment it printed
 * (`env`), the keys of every other account (`accounts[id]`), and an AWS SDK client config per account (`clientConfig`).
 */
export async function startSandboxCli(j, scenario, extraArgs = []) {
  const sandbox = j.spawnLogged('sandbox', process.execPath, [
    CLI_BIN,
    'sandbox',
    '--scenario',
    scenario,
    ...extraArgs,
  ]);
  const out = await sandbox.waitFor(/^sandbox ready$/m, 60_000);
  const env = {};
  for (const m of out.matchAll(/^export (\w+)=(.*)$/gm)) env[m[1]] = m[2];
  const accounts = {};
  for (const m of out.matchAll(/^# account (\d{12}): AWS_ACCESS_KEY_ID=(\S+) AWS_SECRET_ACCESS_KEY=(\S+)$/gm))
    accounts[m[1]] = { accessKeyId: m[2], secretAccessKey: m[3] };
  /** An AWS SDK v3 client config for an account (default: the one the exports are for). */
  const clientConfig = (accountId) => ({
    endpoint: env.AWS_ENDPOINT_URL,
    region: env.AWS_REGION,
    credentials: accountId
      ? accounts[accountId]
      : { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
  });
  return { process: sandbox, env, accounts, clientConfig };
}
