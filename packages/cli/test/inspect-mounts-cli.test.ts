import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCliAsync, sandboxCliEnv } from './run-cli';
import {
  SANDBOX_ADMIN_TOKEN,
  SANDBOX_READONLY_TOKEN,
  startSandbox,
  type Sandbox,
  type SandboxOptions,
} from '@efs-node-identity/sandbox';

interface JsonFinding {
  ruleId: string;
  severity: string;
  message: string;
  resource?: string;
}

const ESC = '\u001b';

describe('efs-node-identity verify --inspect-mounts against the sandbox', () => {
  let sandbox: Sandbox;
  let dir: string;
  let env: Record<string, string>;
  let kubeconfig: string;

  async function start(scenario: string, options: Omit<SandboxOptions, 'scenario'> = {}) {
    sandbox = await startSandbox({ scenario, ...options });
    dir = mkdtempSync(path.join(tmpdir(), 'inspect-mounts-cli-'));
    ({ kubeconfig, env } = sandboxCliEnv(sandbox, dir, '111122223333'));
  }
  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    await sandbox.stop();
  });

  const verify = (extra: string[] = [], config = kubeconfig) =>
    runCliAsync(
      [
        'verify',
        '--cluster',
        'prod-eks',
        '--region',
        'eu-west-1',
        '--kubeconfig',
        config,
        '--inspect-mounts',
        ...extra,
      ],
      env,
    );
  const json = async (extra: string[] = [], config = kubeconfig) => {
    const result = await verify(['--format', 'json', ...extra], config);
    return { ...result, findings: JSON.parse(result.stdout).findings as JsonFinding[] };
  };
  const nodePod = (node: string) =>
    [...sandbox.state.accounts.get('111122223333')!.eks.clusters.get('prod-eks')!.kube.objects.values()].find(
      (o) => o.kind === 'Pod' && (o.spec as { nodeName?: string }).nodeName === node,
    )!.metadata.name;

  it('fallback-to-instance-role: NR-03 error naming the pod and the mount, exit 1', async () => {
    await start('fallback-to-instance-role');
    const { code, findings, stderr } = await json();
    expect(code).toBe(1);
    const nr03 = findings.filter((f) => f.ruleId === 'NR-03' && f.severity === 'error');
    expect(nr03).toHaveLength(1);
    const pod = nodePod('ip-10-40-45-67.eu-west-1.compute.internal');
    expect(nr03[0]!.message).toContain(
      `mount /var/lib/kubelet/pods/7c2e4d3f-5a6b-4c7d-9e8f-0a1b2c3d4e5f/volumes/kubernetes.io~csi/orders-data-pv/mount (fs-0a1b2c3d4e5f60718, access point fsap-0e1f2a3b4c5d60711, PV orders-data-pv`,
    );
    expect(nr03[0]!.message).toContain(
      `on pod kube-system/${pod} (node ip-10-40-45-67.eu-west-1.compute.internal)`,
    );
    expect(nr03[0]!.message).toContain('with the node instance role (awsCredentialsMethod `metadata:`)');
    expect(nr03[0]!.resource).toBe('PersistentVolume/orders-data-pv');
    expect(findings.find((f) => f.ruleId === 'NR-03' && f.severity === 'info')?.message).toMatch(
      /^live mounts: 1 on the dedicated identity \(Pod Identity, role arn:aws:iam::111122223333:role\/prod-eks-efs-csi-node\), 1 on the instance role \(2 state file\(s\) on 3 node pod\(s\)\)$/,
    );
    // One exec and one log read per node pod, each on an efs-csi-node pod, and the calls are counted.
    const execs = sandbox.log.calls.filter((c) => c.operation === 'create pods/exec');
    expect(execs.map((c) => c.status)).toEqual([101, 101, 101]);
    expect(sandbox.log.calls.filter((c) => c.operation === 'get pods/log')).toHaveLength(3);
    expect(stderr).toMatch(/Kubernetes calls/);
  });

  it('healthy: every live mount on the dedicated identity, no error, exit 0; the text output says so', async () => {
    await start('healthy');
    const { code, findings } = await json();
    expect(code).toBe(0);
    expect(
      findings.filter((f) => ['NR-03', 'LG-01'].includes(f.ruleId)).map((f) => [f.severity, f.message]),
    ).toEqual([
      [
        'info',
        'live mounts: 2 on the dedicated identity (Pod Identity, role arn:aws:iam::111122223333:role/prod-eks-efs-csi-node), 0 on the instance role (2 state file(s) on 3 node pod(s))',
      ],
    ]);
    const text = await verify(['--format', 'text']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('live mounts: 2 on the dedicated identity');
  });

  it('without pods/exec: "not inspected" (info, exit 0); the logs are still read', async () => {
    await start('access-denied-in-logs');
    const readOnly = path.join(dir, 'kubeconfig-read-only');
    writeFileSync(
      readOnly,
      readFileSync(kubeconfig, 'utf8').replace(
        JSON.stringify(SANDBOX_ADMIN_TOKEN),
        JSON.stringify(SANDBOX_READONLY_TOKEN),
      ),
    );
    const { code, findings } = await json(['--fail-on', 'warning'], readOnly);
    const nr03 = findings.filter((f) => f.ruleId === 'NR-03');
    expect(nr03.map((f) => f.severity)).toEqual(['info']);
    expect(nr03[0]!.message).toMatch(
      /^not inspected: the mount state files of 3 node pod\(s\) \(.*\) could not be read: the caller may not use pods\/exec on the efs-csi-node pods/,
    );
    // LG-01 still works with pods/log (the read-only token can read logs, as the view role can).
    const lg01 = findings.filter((f) => f.ruleId === 'LG-01');
    expect(lg01).toHaveLength(1);
    expect(lg01[0]!.message).toContain('3 efs-plugin log line(s)');
    expect(lg01[0]!.message).toContain('explained by FS-02');
    expect(findings.map((f) => f.ruleId)).toContain('FS-02');
    expect(code).toBe(1); // FS-02 and LG-01, not the missing permission
    expect(sandbox.log.calls.filter((c) => c.operation === 'create pods/exec').map((c) => c.status)).toEqual([
      403, 403, 403,
    ]);
  });

  it('mounted-before-association: NR-03 warning with the PV and the application pod to re-mount', async () => {
    await start('mounted-before-association');
    const { code, findings } = await json();
    const warnings = findings.filter((f) => f.ruleId === 'NR-03' && f.severity === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.resource).toBe('PersistentVolume/orders-data-pv');
    expect(warnings[0]!.message).toContain(
      'was made with IRSA (role arn:aws:iam::111122223333:role/prod-eks-efs-csi-node-irsa), but Pod Identity',
    );
    expect(warnings[0]!.message).toContain('for pod UID 6b1d3c2e-4f5a-4b6c-8d7e-9f0a1b2c3d4e');
    expect(code).toBe(0);
  });

  it('bounds a 10 MB state file and hostile log lines: reported, no escape sequence printed, no crash', async () => {
    await start('healthy', {
      seed: (state) => {
        const cluster = state.accounts.get('111122223333')!.eks.clusters.get('prod-eks')!;
        const host = cluster.kube.nodeHosts.get('ip-10-40-12-34.eu-west-1.compute.internal')!;
        host.efsState.set(`fs-0a1b2c3d4e5f60718.huge.${ESC}[2J.20060`, Buffer.alloc(10 * 1024 * 1024, 0x7b));
        host.efsState.set(
          'fs-0a1b2c3d4e5f60718.hostile.20061',
          JSON.stringify({
            mountpoint: `/mnt/${ESC}]0;pwned${String.fromCharCode(7)}${ESC}[31mred`,
            awsCredentialsMethod: 'metadata:',
          }),
        );
        host.pluginLog.push({
          at: state.now() - 1000,
          line: `${ESC}[2J${ESC}[1;31mmount.nfs4: access denied by server ${'A'.repeat(10 * 1024 * 1024)}`,
        });
      },
    });
    const text = await verify(['--format', 'text', '--verbose']);
    expect(text.code).toBe(1); // the hostile file claims the instance role: NR-03 error
    expect(text.stdout + text.stderr).not.toContain(ESC);
    expect(text.stdout).toContain('10485760 bytes, more than the 65536 read');
    expect(text.stdout).toContain('1 line(s) longer than 4096 characters were cut before matching');
    expect(text.stdout).toContain('mount /mnt/red (fs-0a1b2c3d4e5f60718)');
    // Output stays small: every quoted line is bounded.
    expect(text.stdout.length).toBeLessThan(64 * 1024);
  });

  it('reads the last --log-lines lines per pod, and refuses --inspect-mounts without Kubernetes or a bad --log-lines', async () => {
    await start('access-denied-in-logs', {
      seed: (state) => {
        const cluster = state.accounts.get('111122223333')!.eks.clusters.get('prod-eks')!;
        const host = cluster.kube.nodeHosts.get('ip-10-40-78-90.eu-west-1.compute.internal')!;
        for (let i = 30; i > 0; i--)
          host.pluginLog.push({
            at: state.now() - i * 1000,
            line: `E1126 retry ${i} mount.nfs4: access denied by server`,
          });
      },
    });
    const { findings } = await json(['--log-lines', '20']);
    const lg01 = findings.filter((f) => f.ruleId === 'LG-01');
    expect(lg01).toHaveLength(1);
    expect(lg01[0]!.message).toContain('20 efs-plugin log line(s)');
    expect(lg01[0]!.message).toContain('Last line: E1126 retry 1 mount.nfs4: access denied by server');
    const noKube = await verify(['--no-kubernetes']);
    expect(noKube.code).toBe(2);
    expect(noKube.stderr).toContain('--inspect-mounts reads the node pods and needs the Kubernetes API');
    const bad = await verify(['--log-lines', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--log-lines must be an integer from 1 to 100000, not "0"');
  });
});
