import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT_OK, UsageError, type CliIo } from '../io';

export const SANDBOX_HELP = `Usage: efs-node-identity sandbox [--scenario NAME] [--port N]
       efs-node-identity sandbox --list

Serve the sandbox, an in-memory AWS account and EKS cluster on 127.0.0.1 that the AWS SDK and kubectl-style clients
talk to, seeded from a scenario. It is test and demo infrastructure, not AWS. Prints the environment to use it:

  export AWS_ENDPOINT_URL=http://127.0.0.1:PORT
  export AWS_ACCESS_KEY_ID=…  AWS_SECRET_ACCESS_KEY=…  (dummy keys of the first account's sandbox-admin user)
  export AWS_REGION=…
  export KUBECONFIG=…        (a temporary file: one context per cluster, removed on exit)

then a line "sandbox ready", and serves until interrupted (Ctrl-C or SIGTERM).

Options:
  --scenario NAME         the world to load (default: healthy); --list names them
  --port N                the port on 127.0.0.1 (default 0: a free one)
  --faults JSON           fault rules, e.g. '[{"service":"eks","fail":"throttle","probability":0.3},{"latencyMs":50}]'
                          (also from EFS_NODE_IDENTITY_SANDBOX_FAULTS); fail: throttle | server | timeout
  --enforce-permissions   judge every AWS call against the caller's IAM policies (AccessDenied otherwise)
  --list                  print the scenarios with what each shows, and exit

Exit codes: 0 stopped cleanly (or --list), 2 usage error (unknown scenario, bad port).
`;

/** Quotes a value for a POSIX shell when it needs it (the printed lines are meant for `eval` or copy-paste). */
function shellValue(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * A kubeconfig in YAML with every string JSON-quoted (ARNs contain colons). `insecure-skip-tls-verify` because
 * @kubernetes/client-node 2.x refuses a plain-http server unless TLS verification is skipped; the sandbox serves http
 * on loopback only. The token is the sandbox's static admin token (not an EKS feature; EKS tokens also work).
 */
function kubeconfigText(clusters: Array<{ name: string; server: string }>, token: string): string {
  const q = (s: string) => JSON.stringify(s);
  const lines = ['apiVersion: v1', 'kind: Config', 'preferences: {}', 'clusters:'];
  for (const c of clusters) {
    lines.push(
      `  - name: ${q(c.name)}`,
      '    cluster:',
      `      server: ${q(c.server)}`,
      '      insecure-skip-tls-verify: true',
    );
  }
  lines.push('users:', `  - name: "sandbox-admin"`, '    user:', `      token: ${q(token)}`, 'contexts:');
  for (const c of clusters) {
    lines.push(
      `  - name: ${q(c.name)}`,
      '    context:',
      `      cluster: ${q(c.name)}`,
      '      user: "sandbox-admin"',
    );
  }
  if (clusters[0]) lines.push(`current-context: ${q(clusters[0].name)}`);
  return `${lines.join('\n')}\n`;
}

/** Resolves on the first SIGINT or SIGTERM, then stops listening for them. */
function untilStopped(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export async function sandboxCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      scenario: { type: 'string', default: 'healthy' },
      port: { type: 'string', default: '0' },
      faults: { type: 'string' },
      'enforce-permissions': { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout(SANDBOX_HELP);
    return EXIT_OK;
  }
  // Loaded on demand: the other commands should not pay for the sandbox's modules.
  const sandboxModule = await import('@efs-node-identity/sandbox');
  if (values.list) {
    const scenarios = sandboxModule.listScenarios();
    const width = Math.max(...scenarios.map((s) => s.name.length));
    for (const s of scenarios)
      io.stdout(
        `${s.name.padEnd(width)}  ${s.description}${s.rules.length > 0 ? ` [${s.rules.join(', ')}]` : ''}\n`,
      );
    return EXIT_OK;
  }
  const portText = values.port as string;
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535)
    throw new UsageError(`--port must be an integer from 0 to 65535, not "${portText}"`);
  const scenario = values.scenario as string;
  if (!sandboxModule.scenarioNames().includes(scenario)) {
    throw new UsageError(
      `unknown scenario "${scenario}" (known: ${sandboxModule.scenarioNames().join(', ')})`,
    );
  }

  const faultText = values.faults ?? io.env.EFS_NODE_IDENTITY_SANDBOX_FAULTS;
  let faults: ReturnType<typeof sandboxModule.parseFaultRules> = [];
  if (faultText !== undefined && faultText.trim() !== '') {
    try {
      faults = sandboxModule.parseFaultRules(faultText);
    } catch (error) {
      const from = values.faults !== undefined ? '--faults' : 'EFS_NODE_IDENTITY_SANDBOX_FAULTS';
      throw new UsageError(`${from}: ${(error as Error).message}`);
    }
  }

  let sandbox;
  try {
    sandbox = await sandboxModule.startSandbox({
      scenario,
      port,
      ...(values['enforce-permissions'] ? { enforcePermissions: true } : {}),
    });
    for (const rule of faults) sandbox.faults.add(rule);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE' || e.code === 'EACCES')
      throw new UsageError(`cannot listen on 127.0.0.1:${port}: ${e.code}`);
    throw error;
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'efs-node-identity-sandbox-'));
  try {
    const { state } = sandbox;
    const accounts = [...state.accounts.values()];
    const clusters = accounts.flatMap((a) => [...a.eks.clusters.values()]);
    const kubeconfig = path.join(dir, 'kubeconfig');
    await writeFile(
      kubeconfig,
      kubeconfigText(
        clusters.map((c) => ({ name: c.arn, server: c.endpoint })),
        sandboxModule.SANDBOX_ADMIN_TOKEN,
      ),
      { mode: 0o600 },
    );
    const first = accounts[0];
    const keys = first ? sandboxModule.adminCredentials(state, first.id) : undefined;
    const env: Array<[string, string]> = [['AWS_ENDPOINT_URL', sandbox.url]];
    if (keys)
      env.push(['AWS_ACCESS_KEY_ID', keys.accessKeyId], ['AWS_SECRET_ACCESS_KEY', keys.secretAccessKey]);
    env.push(['AWS_REGION', clusters[0]?.region ?? state.defaultRegion], ['KUBECONFIG', kubeconfig]);
    for (const [name, value] of env) io.stdout(`export ${name}=${shellValue(value)}\n`);
    // The other accounts' keys as comments: a shell that evals the lines ignores them, a person can switch to them.
    for (const account of accounts.slice(1)) {
      const other = sandboxModule.adminCredentials(state, account.id);
      if (other)
        io.stdout(
          `# account ${account.id}: AWS_ACCESS_KEY_ID=${other.accessKeyId} AWS_SECRET_ACCESS_KEY=${other.secretAccessKey}\n`,
        );
    }
    // Listen for the stop signals before saying ready: a caller may send one as soon as it reads the line.
    const stopped = untilStopped();
    io.stdout('sandbox ready\n');
    io.stderr(
      `efs-node-identity sandbox: scenario ${scenario} on ${sandbox.url} (${clusters.map((c) => c.name).join(', ') || 'no clusters'}); Ctrl-C stops it\n`,
    );
    const signal = await stopped;
    io.stderr(`efs-node-identity sandbox: ${signal}, stopping\n`);
  } finally {
    await sandbox.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return EXIT_OK;
}
