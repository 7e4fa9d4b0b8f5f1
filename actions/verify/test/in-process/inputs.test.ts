import { jest } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * run() called in this process with INPUT_* as the runner sets them, for every input rule of src/inputs.ts (and the
 * `paths` glob rule of src/targets.ts): the step fails before any work, with one `::error::` line that names the input,
 * exit code 1, and no output written.
 */
const runner = mkdtempSync(path.join(tmpdir(), 'eni-action-inprocess-'));
const workspace = path.join(runner, 'repo');
mkdirSync(workspace);
writeFileSync(path.join(workspace, 'README.md'), '# infra\n');
const eventPath = path.join(runner, 'event.json');
writeFileSync(
  eventPath,
  JSON.stringify({
    number: 7,
    pull_request: { number: 7 },
    repository: { name: 'infra', owner: { login: 'acme' } },
  }),
);
const outputPath = path.join(runner, 'output');
const summaryPath = path.join(runner, 'summary.md');

// @actions/github reads the event when it is first imported; the runner has set these before the step starts.
Object.assign(process.env, {
  GITHUB_EVENT_NAME: 'pull_request',
  GITHUB_EVENT_PATH: eventPath,
  GITHUB_REPOSITORY: 'acme/infra',
  GITHUB_WORKSPACE: workspace,
  GITHUB_OUTPUT: outputPath,
  GITHUB_STEP_SUMMARY: summaryPath,
  RUNNER_TEMP: runner,
  // Nothing may reach a network in these tests: every case fails before the first request.
  GITHUB_API_URL: 'http://127.0.0.1:1',
});
const github = await import('@actions/github');
const { run } = await import('../../src/main');

const DEFAULTS: Record<string, string> = {
  paths: '.',
  'changed-files-only': 'auto',
  config: '',
  'fail-on': 'error',
  comment: 'true',
  'sarif-file': '',
  token: 'ghs_fake-token-1234',
  live: 'false',
  cluster: '',
  region: '',
  'file-systems': '',
};
const LIVE = { live: 'true', cluster: 'prod-eks', region: 'eu-west-1' };

async function runWith(inputs: Record<string, string>, eventName = 'pull_request') {
  for (const [name, value] of Object.entries({ ...DEFAULTS, ...inputs }))
    process.env[`INPUT_${name.toUpperCase()}`] = value;
  github.context.eventName = eventName;
  writeFileSync(outputPath, '');
  writeFileSync(summaryPath, '');
  const written: string[] = [];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await run();
  } finally {
    stdout.mockRestore();
  }
  const exitCode = process.exitCode;
  // core.setFailed sets the exit code of this process; the test runner's own must not inherit it.
  process.exitCode = undefined;
  return {
    stdout: written.join(''),
    exitCode,
    outputs: readFileSync(outputPath, 'utf8'),
    summary: readFileSync(summaryPath, 'utf8'),
  };
}

afterAll(() => rmSync(runner, { recursive: true, force: true }));

describe('run() refuses a bad input before any work, naming the input', () => {
  it.each<[string, Record<string, string>, string, RegExp]>([
    [
      'paths outside the repository',
      { paths: 'k8s,../elsewhere' },
      'pull_request',
      /^input paths: '\.\.\/elsewhere' is outside the repository/,
    ],
    [
      'a paths glob that matches nothing',
      { paths: 'nothing/**/*.yaml' },
      'pull_request',
      /^input paths: the glob 'nothing\/\*\*\/\*\.yaml' matches no file$/,
    ],
    [
      'changed-files-only not a choice',
      { 'changed-files-only': 'sometimes' },
      'pull_request',
      /^input changed-files-only: must be one of auto, true, false; got 'sometimes'$/,
    ],
    [
      'changed-files-only: true outside a pull request',
      { 'changed-files-only': 'true' },
      'push',
      /^input changed-files-only: true needs a pull_request event; this run is 'push'$/,
    ],
    [
      'config outside the repository',
      { config: '/etc/passwd' },
      'pull_request',
      /^input config: '\/etc\/passwd' is outside the repository/,
    ],
    [
      'config that does not exist',
      { config: 'missing.yaml' },
      'pull_request',
      /^input config: no file at 'missing\.yaml'$/,
    ],
    [
      'fail-on not a choice',
      { 'fail-on': 'maybe' },
      'pull_request',
      /^input fail-on: must be one of error, warning, never; got 'maybe'$/,
    ],
    [
      'comment not a choice',
      { comment: 'yes' },
      'pull_request',
      /^input comment: must be one of true, false; got 'yes'$/,
    ],
    [
      'sarif-file outside the repository and the runner temp',
      { 'sarif-file': '/var/results.sarif' },
      'pull_request',
      /^input sarif-file: '\/var\/results\.sarif' is outside the repository/,
    ],
    [
      'no token for changed-files-only',
      { token: '' },
      'pull_request',
      /^input token: is empty, but changed-files-only needs it to list the pull request files$/,
    ],
    [
      'no token for the comment',
      { token: '', 'changed-files-only': 'false' },
      'pull_request',
      /^input token: is empty, but comment: true needs it to write the pull request comment$/,
    ],
    [
      'live not a choice',
      { live: 'yes' },
      'pull_request',
      /^input live: must be one of true, false; got 'yes'$/,
    ],
    [
      'cluster without live',
      { cluster: 'prod-eks' },
      'pull_request',
      /^input cluster: is only used with live: true$/,
    ],
    [
      'region without live',
      { region: 'eu-west-1' },
      'pull_request',
      /^input region: is only used with live: true$/,
    ],
    [
      'file-systems without live',
      { 'file-systems': 'fs-0123456789abcdef0' },
      'pull_request',
      /^input file-systems: is only used with live: true$/,
    ],
    [
      'live without cluster',
      { ...LIVE, cluster: '' },
      'pull_request',
      /^input cluster: is required with live: true$/,
    ],
    [
      'a cluster name EKS would refuse',
      { ...LIVE, cluster: 'prod"eks' },
      'pull_request',
      /^input cluster: 'prod"eks' is not an EKS cluster name$/,
    ],
    [
      'live without region',
      { ...LIVE, region: '' },
      'pull_request',
      /^input region: is required with live: true$/,
    ],
    [
      'a region that is not one',
      { ...LIVE, region: 'Europe' },
      'pull_request',
      /^input region: 'Europe' is not an AWS region such as eu-west-1$/,
    ],
    [
      'a file system ID that is not one',
      { ...LIVE, 'file-systems': 'fs-0123456789abcdef0,efs-2' },
      'pull_request',
      /^input file-systems: 'efs-2' is not a file system ID/,
    ],
  ])('%s', async (_case, inputs, eventName, message) => {
    const result = await runWith(inputs, eventName);
    const errors = result.stdout.split('\n').filter((line) => line.startsWith('::error::'));
    expect(errors).toHaveLength(1);
    expect(errors[0].slice('::error::'.length)).toMatch(message);
    expect(result.exitCode).toBe(1);
    // Refused before any work: no output, no summary.
    expect(result.outputs).toBe('');
    expect(result.summary).toBe('');
  });

  it('accepts the same inputs when they are valid (the cases above fail for their input alone)', async () => {
    const result = await runWith({ comment: 'false', 'changed-files-only': 'false' }, 'push');
    expect(result.stdout).not.toContain('::error::');
    expect(result.exitCode).toBeUndefined();
    expect(result.outputs).toMatch(/^result<<.*\npass\n/m);
  });
});
