import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { REPO_ROOT, runCli } from './run-cli';

const BIN = path.join(__dirname, '..', 'dist', 'bin.js');

/** Starts `efs-node-identity sandbox …` as a process and waits for its `sandbox ready` line. */
async function startCli(
  args: string[],
): Promise<{ child: ChildProcess; stdout: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, 'sandbox', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "sandbox ready" in 15 s; stdout: ${stdout} stderr: ${stderr}`)),
      15_000,
    );
    const check = () => {
      if (stdout.includes('sandbox ready\n')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ready; stderr: ${stderr}`));
    });
  });
  return { child, stdout: () => stdout, exited };
}

/** The `export NAME=value` lines, as a shell would evaluate them (values here need no unquoting). */
function exportsOf(stdout: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const m = /^export ([A-Z_]+)=(.*)$/.exec(line);
    if (m) env[m[1]!] = m[2]!.replace(/^'(.*)'$/, '$1');
  }
  return env;
}

describe('efs-node-identity sandbox', () => {
  it('serves a scenario, prints the env to use it, and stops cleanly on SIGTERM', async () => {
    const { child, stdout, exited } = await startCli(['--scenario', 'never-restarted', '--port', '0']);
    let env: Record<string, string>;
    try {
      const lines = stdout().trimEnd().split('\n');
      expect(lines.at(-1)).toBe('sandbox ready');
      env = exportsOf(stdout());
      expect(Object.keys(env)).toEqual([
        'AWS_ENDPOINT_URL',
        'AWS_ACCESS_KEY_ID',
        'AWS_SECRET_ACCESS_KEY',
        'AWS_REGION',
        'KUBECONFIG',
      ]);
      expect(env.AWS_ENDPOINT_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(env.AWS_REGION).toBe('eu-west-1');
      expect(readFileSync(env.KUBECONFIG!, 'utf8')).toContain('insecure-skip-tls-verify: true');

      // The SDK with nothing but the printed env (its standard variables), as a user's shell would have it.
      const saved = { ...process.env };
      Object.assign(process.env, env);
      try {
        const identity = await new STSClient({}).send(new GetCallerIdentityCommand({}));
        expect(identity).toMatchObject({
          Account: '111122223333',
          Arn: 'arn:aws:iam::111122223333:user/sandbox-admin',
        });
      } finally {
        process.env = saved;
      }

      // @kubernetes/client-node is ESM-only: ask it from a child Node process, with the printed KUBECONFIG.
      const script = `
        import { KubeConfig, AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
        const kc = new KubeConfig();
        kc.loadFromDefault();
        const ds = await kc.makeApiClient(AppsV1Api).listNamespacedDaemonSet({ namespace: 'kube-system' });
        const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'kube-system', labelSelector: 'app=efs-csi-node' });
        console.log(JSON.stringify({
          context: kc.getCurrentContext(),
          daemonSets: ds.items.map((d) => [d.metadata.name, d.status.numberReady]),
          podEnv: pods.items.map((p) => (p.spec.containers[0].env ?? []).map((e) => e.name)),
        }));`;
      const kube = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: REPO_ROOT,
        env: { ...process.env, KUBECONFIG: env.KUBECONFIG },
        encoding: 'utf8',
      });
      expect(kube.stderr).toBe('');
      const answer = JSON.parse(kube.stdout) as {
        context: string;
        daemonSets: unknown[];
        podEnv: string[][];
      };
      expect(answer.context).toBe('arn:aws:eks:eu-west-1:111122223333:cluster/prod-eks');
      expect(answer.daemonSets).toEqual([['efs-csi-node', 3]]);
      // never-restarted: the pods predate the association, so no Pod Identity env.
      for (const names of answer.podEnv) expect(names).not.toContain('AWS_CONTAINER_CREDENTIALS_FULL_URI');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(existsSync(env.KUBECONFIG ?? '/nonexistent')).toBe(false);
    expect(existsSync(path.dirname(env.KUBECONFIG ?? '/nonexistent/x'))).toBe(false);
  }, 30_000);

  it('prints the other accounts of a cross-account scenario as comments and stops on SIGINT', async () => {
    const { child, stdout, exited } = await startCli(['--scenario', 'cross-account']);
    try {
      expect(stdout()).toMatch(/^# account 444455556666: AWS_ACCESS_KEY_ID=\S+ AWS_SECRET_ACCESS_KEY=\S+$/m);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  }, 30_000);

  it('--list names every scenario with its one-line description', () => {
    const { code, stdout } = runCli(['sandbox', '--list']);
    expect(code).toBe(0);
    const names = stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split(/\s+/)[0]);
    expect(names).toEqual([
      'access-denied-in-logs',
      'addon-update-dropped-association',
      'cross-account',
      'demo',
      'deny-only-policy',
      'fallback-to-instance-role',
      'healthy',
      'mounted-before-association',
      'never-restarted',
      'no-policy',
      'node-role-fallback',
      'old-addon',
      's3files-broad-managed-policies',
      's3files-bucket-deny',
      's3files-healthy',
      'wrong-irsa-sub',
    ]);
    expect(stdout).toMatch(/^deny-only-policy\s+The file system policy only denies .*\[FS-02/m);
    expect(stdout).toMatch(/^s3files-bucket-deny\s+The linked bucket's policy denies .*\[S3F-04, S3F-03\]/m);
  });

  it.each([
    [
      ['--scenario', 'no-such-world'],
      /unknown scenario "no-such-world" \(known: access-denied-in-logs, addon-update-dropped-association, /,
    ],
    [['--port', '70000'], /--port must be an integer from 0 to 65535, not "70000"/],
    [['--port', 'abc'], /--port must be an integer/],
    [['--bogus'], /Unknown option '--bogus'/],
  ])('exits 2 with a clear message for %j', (args, message) => {
    const { code, stdout, stderr } = runCli(['sandbox', ...args]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
  });

  it('is listed in the help', () => {
    expect(runCli(['--help']).stdout).toMatch(/^ {2}sandbox {10}serve an in-memory AWS account/m);
    expect(runCli(['sandbox', '--help']).stdout).toContain(
      'Usage: efs-node-identity sandbox [--scenario NAME] [--port N]',
    );
  });

  it('applies fault rules from --faults, and refuses bad ones naming the flag', async () => {
    const bad = runCli(['sandbox', '--faults', '[{"fail":"explode"}]']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--faults: faults: .*fail/);
    const { child, stdout, exited } = await startCli([
      '--faults',
      '{"service":"sts","fail":"throttle","times":1}',
    ]);
    try {
      const env = exportsOf(stdout());
      const sts = new STSClient({
        endpoint: env.AWS_ENDPOINT_URL,
        region: env.AWS_REGION,
        credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! },
        maxAttempts: 1,
      });
      await expect(sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'Throttling' });
      await expect(sts.send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({
        Account: expect.any(String),
      });
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});
