// The bundled GitHub Action (actions/verify/dist, committed) run as the runner runs it: `node dist/index.js` in the
// checked-out workspace, with a `pull_request` event file, the GITHUB_* and RUNNER_* environment and the INPUT_*
// variables, talking to a fake GitHub API on loopback (actions/verify/scripts/fake-github.mjs, which the action's
// own scripts and benchmark use).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT } from './journey.mjs';

export { startFakeGitHub } from '../../actions/verify/scripts/fake-github.mjs';

export const OWNER = 'acme';
export const REPO = 'infra';

/** Runs git in `cwd` with a fixed author; throws with git's message when it fails. */
export function git(cwd, ...args) {
  const r = spawnSync(
    'git',
    ['-c', 'user.name=Dev', '-c', 'user.email=dev@example.com', '-c', 'init.defaultBranch=main', ...args],
    {
      cwd,
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** Writes files (path → text) under `dir`, creating directories. */
export function writeFiles(dir, files) {
  for (const [name, text] of Object.entries(files)) {
    const at = join(dir, name);
    mkdirSync(dirname(at), { recursive: true });
    writeFileSync(at, text, { flag: 'w' });
  }
}

/** Workflow command escaping undone (%25 %0D %0A in data, plus %3A %2C in properties), as @actions/core writes it. */
const unescape = (s) =>
  s
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%25/g, '%');

/** The `::error file=…,line=…::message` lines of a step's stdout. */
export function parseAnnotations(stdout) {
  const out = [];
  for (const line of stdout.split('\n')) {
    const match = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!match) continue;
    const properties = {};
    for (const pair of (match[2] ?? '').split(',').filter(Boolean)) {
      const eq = pair.indexOf('=');
      properties[pair.slice(0, eq)] = unescape(pair.slice(eq + 1));
    }
    out.push({ level: match[1], properties, message: unescape(match[3]) });
  }
  return out;
}

/** GITHUB_OUTPUT's heredoc blocks (`name<<DELIMITER`, value lines, `DELIMITER`) as an object. */
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

/**
 * The committed bundle copied into `dir`, away from the repository's node_modules (a runner has none beside the
 * action), so a bundle that still imported a package would fail here as it would there.
 */
export function copyBundle(dir) {
  cpSync(join(ROOT, 'actions', 'verify', 'dist'), dir, { recursive: true });
  return join(dir, 'index.js');
}

/**
 * Runs the action once on a pull request. `journey` is the caller's journey (its runProcess keeps the log);
 * `runnerDir` a fresh directory for the event file, GITHUB_OUTPUT, the job summary and RUNNER_TEMP.
 */
export async function runActionOnPullRequest({
  journey,
  bundle,
  workspace,
  runnerDir,
  github,
  number,
  headSha,
  baseSha,
  inputs,
  env = {},
}) {
  const eventPath = join(runnerDir, 'event.json');
  const outputPath = join(runnerDir, 'output');
  const summaryPath = join(runnerDir, 'summary.md');
  // The parts of the pull_request webhook payload the action (through @actions/github's context) reads.
  writeFileSync(
    eventPath,
    JSON.stringify({
      action: 'synchronize',
      number,
      pull_request: { number, head: { sha: headSha, ref: 'pr' }, base: { sha: baseSha, ref: 'main' } },
      repository: { name: REPO, owner: { login: OWNER }, full_name: `${OWNER}/${REPO}` },
    }),
  );
  // The runner creates both files before the step starts.
  writeFileSync(outputPath, '');
  writeFileSync(summaryPath, '');
  const runEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_WORKSPACE: workspace,
    GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    GITHUB_REPOSITORY_OWNER: OWNER,
    GITHUB_SHA: headSha,
    GITHUB_REF: `refs/pull/${number}/merge`,
    GITHUB_HEAD_REF: 'pr',
    GITHUB_BASE_REF: 'main',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '4242',
    GITHUB_API_URL: github.url,
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    RUNNER_TEMP: runnerDir,
    ...env,
  };
  for (const [key, value] of Object.entries(inputs)) runEnv[`INPUT_${key.toUpperCase()}`] = value;
  const run = await journey.runProcess('action', process.execPath, [bundle], { cwd: workspace, env: runEnv });
  return {
    ...run,
    annotations: parseAnnotations(run.stdout),
    outputs: parseOutputs(readFileSync(outputPath, 'utf8')),
    summary: readFileSync(summaryPath, 'utf8'),
  };
}
