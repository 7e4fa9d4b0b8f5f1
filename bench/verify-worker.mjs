// Child process of the verify figure: the live collector against the sandbox (real SDK clients and client-node over
// HTTP) for 1, 10 and 100 services that share 3 file systems, with 50 ms injected on every call. It prints one JSON
// line per measurement. The critical-path lower bound is the same collection with unlimited parallelism: what is left
// is the chain of calls that depend on each other (cluster → association → role → policy …), 50 ms per link.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '..');
const sandboxPkg = require(path.join(root, 'packages/sandbox/dist/index.js'));
const aws = require(path.join(root, 'packages/aws/dist/index.js'));

const ACCOUNT = '111122223333';
const CLUSTER = 'prod-eks';
const REGION = 'eu-west-1';
const LATENCY_MS = Number(process.env.BENCH_VERIFY_LATENCY_MS ?? 50);
const emit = (record) => process.stdout.write(JSON.stringify(record) + '\n');

/** The healthy scenario plus two more file systems and `services` PVs spread over the three. */
function seedServices(services) {
  return (state) => {
    const extra = ['fs-0f1e2d3c4b5a69871', 'fs-0f1e2d3c4b5a69872'];
    for (const id of extra) sandboxPkg.addFileSystem(state, ACCOUNT, { fileSystemId: id, name: id });
    const ids = ['fs-0a1b2c3d4e5f60718', ...extra];
    const cluster = sandboxPkg.clusterOf(state, ACCOUNT, CLUSTER);
    for (let i = 0; i < services; i++) {
      sandboxPkg.addPersistentVolume(cluster, {
        name: `svc-${i}-data`,
        volumeHandle: ids[i % ids.length],
        mountOptions: ['tls', 'iam'],
      });
    }
  };
}

async function measure(services, concurrency) {
  const sandbox = await sandboxPkg.startSandbox({ scenario: 'healthy', seed: seedServices(services) });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'efs-node-identity-bench-verify-'));
  try {
    const endpoint = sandboxPkg.clusterOf(sandbox.state, ACCOUNT, CLUSTER).endpoint;
    const kubeconfig = path.join(dir, 'kubeconfig');
    const q = JSON.stringify;
    writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${q(endpoint)}\n    insecure-skip-tls-verify: true\nusers:\n- name: u\n  user:\n    token: ${q(sandboxPkg.SANDBOX_ADMIN_TOKEN)}\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\n`,
    );
    const keys = sandboxPkg.adminCredentials(sandbox.state, ACCOUNT);
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: sandbox.url,
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
      AWS_REGION: REGION,
    });
    sandbox.faults.add({ latencyMs: LATENCY_MS });
    const start = performance.now();
    const result = await aws.collectLiveSnapshot({
      cluster: CLUSTER,
      region: REGION,
      kube: { kind: 'kubeconfig', path: kubeconfig },
      ...(concurrency ? { concurrency } : {}),
    });
    const ms = performance.now() - start;
    return {
      services,
      concurrency: concurrency ?? 8,
      ms: Math.round(ms),
      awsCalls: result.stats.awsCalls,
      kubernetesCalls: result.stats.kubernetesCalls,
      volumes: result.snapshot.persistentVolumes.length,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await sandbox.stop();
  }
}

// A warm-up (module loading, JIT), not recorded.
await measure(1);
for (const services of [1, 10, 100]) {
  emit({ kind: 'default', ...(await measure(services)) });
  emit({ kind: 'lower-bound', ...(await measure(services, 1_000)) });
}
emit({ done: true });
