// The action figure: the committed bundle (actions/verify/dist/index.js) run as the runner runs it, `node
// dist/index.js` with INPUT_* and GITHUB_* set, on a pull request that changes 20 files of a generated 1,000-file
// infrastructure repository, against a fake GitHub API on loopback that lists those 20 files and keeps the comment.
// Measured: from spawning the process to its exit (the verdict is written then), median of several runs.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateRepo } from './gen-repo.mjs';
import { startFakeGitHub } from '../actions/verify/scripts/fake-github.mjs';

const ACTION = path.resolve(import.meta.dirname, '..', 'actions', 'verify', 'dist', 'index.js');
const OWNER = 'acme';
const REPO = 'infra';
const NUMBER = 7;

async function listFiles(root) {
  const entries = await fs.readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

/** GITHUB_OUTPUT's heredoc blocks (`name<<DELIMITER`, value lines, `DELIMITER`). */
function parseOutputs(text) {
  const outputs = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<]+)<<(.+)$/.exec(lines[i]);
    if (!match) continue;
    const value = [];
    for (i++; i < lines.length && lines[i] !== match[2]; i++) value.push(lines[i]);
    outputs[match[1]] = value.join('\n');
  }
  return outputs;
}

// Preloaded into the action's process: writes its own CPU time (user + system) when it exits. Wall time on a shared
// machine depends on the load; CPU time much less, so it is recorded beside it.
const CPU_PRELOAD =
  'data:text/javascript,' +
  encodeURIComponent(
    "import { writeFileSync } from 'node:fs';" +
      "process.on('exit', () => writeFileSync(process.env.BENCH_CPU_FILE, JSON.stringify(process.cpuUsage())));",
  );

function runOnce(env, cwd) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, ['--import', CPU_PRELOAD, ACTION], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, ms: performance.now() - start, stdout, stderr }));
  });
}

/**
 * @param {{ tmp: string, files: number, changed: number, runs: number, log: (s: string) => void }} options
 */
export async function measureActionVerdict({ tmp, files, changed, runs, log }) {
  const root = path.join(tmp, 'action-repo');
  const repo = await generateRepo(root, files, 11);
  const all = await listFiles(root);
  // Evenly spread over the sorted list, so the pull request touches several teams, kinds and directories.
  const changedFiles = Array.from({ length: changed }, (_, i) => all[Math.floor((i * all.length) / changed)]);
  const github = await startFakeGitHub({ owner: OWNER, repo: REPO, number: NUMBER, changedFiles });
  const runner = path.join(tmp, 'action-runner');
  await fs.mkdir(runner, { recursive: true });
  const eventPath = path.join(runner, 'event.json');
  await fs.writeFile(
    eventPath,
    JSON.stringify({
      action: 'synchronize',
      number: NUMBER,
      pull_request: { number: NUMBER },
      repository: { name: REPO, owner: { login: OWNER } },
    }),
  );
  const samples = [];
  const cpuSamples = [];
  let last;
  try {
    // One run first that is not counted: the first process start reads the bundle from disk.
    for (let i = 0; i <= runs; i++) {
      const outputPath = path.join(runner, `output-${i}`);
      const summaryPath = path.join(runner, `summary-${i}.md`);
      await fs.writeFile(outputPath, '');
      await fs.writeFile(summaryPath, '');
      const env = {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        GITHUB_ACTIONS: 'true',
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: eventPath,
        GITHUB_WORKSPACE: root,
        GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_RUN_ID: String(100 + i),
        GITHUB_API_URL: github.url,
        GITHUB_OUTPUT: outputPath,
        GITHUB_STEP_SUMMARY: summaryPath,
        RUNNER_TEMP: runner,
        INPUT_TOKEN: 'ghs_bench',
        'INPUT_FAIL-ON': 'error',
        INPUT_COMMENT: 'true',
        'INPUT_CHANGED-FILES-ONLY': 'auto',
        BENCH_CPU_FILE: path.join(runner, `cpu-${i}.json`),
      };
      const result = await runOnce(env, root);
      const outputs = parseOutputs(await fs.readFile(outputPath, 'utf8'));
      if (!outputs.result)
        throw new Error(`the action gave no verdict (exit ${result.code}): ${result.stderr}`);
      last = {
        code: result.code,
        outputs,
        annotations: result.stdout.match(/^::(error|warning|notice)/gm)?.length ?? 0,
      };
      const cpu = JSON.parse(await fs.readFile(env.BENCH_CPU_FILE, 'utf8'));
      const cpuMs = (cpu.user + cpu.system) / 1000;
      if (i === 0) log(`action: warm-up run ${result.ms.toFixed(0)} ms, result ${outputs.result}`);
      else {
        samples.push(result.ms);
        cpuSamples.push(cpuMs);
        log(`action run ${i}: ${result.ms.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU`);
      }
    }
  } finally {
    await github.close();
  }
  const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  return {
    files: repo.files,
    changedFiles: changedFiles.length,
    runs: samples.length,
    medianMs: Math.round(median(samples)),
    samplesMs: samples.map((v) => Math.round(v)),
    cpuMedianMs: Math.round(median(cpuSamples)),
    cpuSamplesMs: cpuSamples.map((v) => Math.round(v)),
    result: last.outputs.result,
    errors: Number(last.outputs.errors),
    warnings: Number(last.outputs.warnings),
    annotations: last.annotations,
    exitCode: last.code,
    comments: github.comments.length,
  };
}
