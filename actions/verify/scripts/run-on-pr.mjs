// Runs the committed bundle on a directory as GitHub would on a pull request, and prints what the runner would show:
//   node actions/verify/scripts/run-on-pr.mjs <dir> [changed file …]
// The directory is copied to a temporary workspace (the action writes nothing into it), a fake GitHub API on loopback
// lists the changed files (relative to <dir>) and keeps the comment. INPUT_* and AWS_* from the environment are passed
// on, so live mode can be tried too (INPUT_LIVE=true INPUT_CLUSTER=… INPUT_REGION=… with credentials, or a sandbox's
// exports). Printed: the workflow commands (annotations), the outputs, the job summary and the comment.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startFakeGitHub } from './fake-github.mjs';

const [dir, ...changedFiles] = process.argv.slice(2);
if (!dir) {
  process.stderr.write('usage: node actions/verify/scripts/run-on-pr.mjs <dir> [changed file …]\n');
  process.exit(2);
}
const action = path.join(import.meta.dirname, '..', 'dist', 'index.js');
const temp = mkdtempSync(path.join(tmpdir(), 'efs-node-identity-action-'));
const workspace = path.join(temp, 'workspace');
cpSync(path.resolve(dir), workspace, { recursive: true });
const github = await startFakeGitHub({ owner: 'acme', repo: 'infra', number: 7, changedFiles });
try {
  const file = (name, text = '') => {
    const at = path.join(temp, name);
    writeFileSync(at, text);
    return at;
  };
  const env = {
    ...Object.fromEntries(
      Object.entries(process.env).filter(([k]) => /^(PATH|HOME|INPUT_|AWS_|KUBECONFIG)/.test(k)),
    ),
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: file(
      'event.json',
      JSON.stringify({
        number: 7,
        pull_request: { number: 7 },
        repository: { name: 'infra', owner: { login: 'acme' } },
      }),
    ),
    GITHUB_WORKSPACE: workspace,
    GITHUB_REPOSITORY: 'acme/infra',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '1',
    GITHUB_API_URL: github.url,
    GITHUB_OUTPUT: file('output'),
    GITHUB_STEP_SUMMARY: file('summary.md'),
    RUNNER_TEMP: temp,
    INPUT_TOKEN: process.env.INPUT_TOKEN ?? 'ghs_example',
  };
  const child = spawn(process.execPath, [action], {
    cwd: workspace,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const code = await new Promise((resolve) => child.on('close', resolve));
  const outputs = readFileSync(env.GITHUB_OUTPUT, 'utf8').replace(/ghadelimiter_[\w-]+/g, 'EOF');
  process.stdout.write(`\n--- exit code ${code}\n--- outputs\n${outputs}\n--- job summary\n`);
  process.stdout.write(readFileSync(env.GITHUB_STEP_SUMMARY, 'utf8'));
  for (const comment of github.comments)
    process.stdout.write(`\n--- pull request comment\n${comment.body}\n`);
} finally {
  await github.close();
  rmSync(temp, { recursive: true, force: true });
}
