import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const ACTION_DIR = path.resolve(__dirname, '..');
export const SHARED_FIXTURES = path.resolve(__dirname, '../../../../shared/fixtures');
export const OWNER = 'acme';
export const REPO = 'infra';
export const PR_NUMBER = 7;

/** A checked-out repository: a git work tree with the given files. */
export function makeRepository(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'eni-action-repo-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  const git = (...args: string[]) =>
    spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir });
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', 'fixture');
  return dir;
}

export interface RecordedRequest {
  method: string;
  path: string;
  body?: unknown;
}

export interface StoredComment {
  id: number;
  body: string;
}

/**
 * Plays the part of the GitHub REST API the action uses: the pull request's files and its issue comments, both paged
 * with `Link` headers like the real API (small pages, so pagination is exercised), recording every request.
 */
export async function startFakeGitHub(options: {
  changedFiles: string[];
  otherComments?: number;
  pageSize?: number;
}) {
  const requests: RecordedRequest[] = [];
  const pageSize = options.pageSize ?? 2;
  const comments: StoredComment[] = Array.from({ length: options.otherComments ?? 3 }, (_, i) => ({
    id: 100 + i,
    body: `LGTM ${i}`,
  }));
  let nextId = 1000;
  const base = `/repos/${OWNER}/${REPO}`;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
      requests.push({ method: req.method ?? '', path: url.pathname + url.search, ...(body ? { body } : {}) });
      const page = (items: unknown[]) => {
        const n = Number(url.searchParams.get('page') ?? '1');
        const last = Math.max(1, Math.ceil(items.length / pageSize));
        const links: string[] = [];
        const at = (p: number) => {
          const next = new URL(url.toString());
          next.searchParams.set('page', String(p));
          return `<http://${req.headers.host}${next.pathname}${next.search}>`;
        };
        if (n < last) links.push(`${at(n + 1)}; rel="next"`, `${at(last)}; rel="last"`);
        send(
          200,
          items.slice((n - 1) * pageSize, n * pageSize),
          links.length ? { link: links.join(', ') } : {},
        );
      };
      const send = (status: number, json: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(json));
      };
      if (req.method === 'GET' && url.pathname === `${base}/pulls/${PR_NUMBER}/files`) {
        return page(options.changedFiles.map((filename) => ({ filename, status: 'modified' })));
      }
      if (req.method === 'GET' && url.pathname === `${base}/issues/${PR_NUMBER}/comments`)
        return page(comments);
      if (req.method === 'POST' && url.pathname === `${base}/issues/${PR_NUMBER}/comments`) {
        const comment = { id: nextId++, body: String(body?.body) };
        comments.push(comment);
        return send(201, comment);
      }
      const update = new RegExp(`^${base}/issues/comments/(\\d+)$`).exec(url.pathname);
      if (req.method === 'PATCH' && update) {
        const comment = comments.find((c) => c.id === Number(update[1]));
        if (!comment) return send(404, { message: 'Not Found' });
        comment.body = String(body?.body);
        return send(200, comment);
      }
      send(404, { message: `fake GitHub: no route for ${req.method} ${url.pathname}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    comments,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface Annotation {
  level: string;
  properties: Record<string, string>;
  message: string;
}

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  annotations: Annotation[];
  outputs: Record<string, string>;
  summary: string;
  /** From spawning the process to its exit. */
  milliseconds: number;
}

// Workflow command escaping, undone (https://github.com/actions/toolkit: %25 %0D %0A in data, plus %3A %2C in properties).
const unescape = (s: string) =>
  s
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%25/g, '%');

export function parseAnnotations(stdout: string): Annotation[] {
  const out: Annotation[] = [];
  for (const line of stdout.split('\n')) {
    const match = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!match) continue;
    const properties: Record<string, string> = {};
    for (const pair of (match[2] ?? '').split(',').filter(Boolean)) {
      const eq = pair.indexOf('=');
      properties[pair.slice(0, eq)] = unescape(pair.slice(eq + 1));
    }
    out.push({ level: match[1], properties, message: unescape(match[3]) });
  }
  return out;
}

/** GITHUB_OUTPUT uses heredoc blocks: `name<<DELIMITER`, the value lines, `DELIMITER`. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<]+)<<(.+)$/.exec(lines[i]);
    if (!match) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== match[2]; i++) value.push(lines[i]);
    outputs[match[1]] = value.join('\n');
  }
  return outputs;
}

let distCopy: string | undefined;

/**
 * The committed dist/ copied into a temporary directory, away from the repository's node_modules: the runner has
 * none beside the action, so a bundle that still imported a package (instead of containing it) fails here as it would
 * there. One copy per test file.
 */
function runnableBundle(): string {
  if (!distCopy) {
    distCopy = mkdtempSync(path.join(tmpdir(), 'eni-action-bundle-'));
    cpSync(path.join(ACTION_DIR, 'dist'), distCopy, { recursive: true });
  }
  return path.join(distCopy, 'index.js');
}
// The copy is 27 MB (the live part, with the AWS SDK and @kubernetes/client-node, is most of it).
afterAll(() => {
  if (distCopy) rmSync(distCopy, { recursive: true, force: true });
});

/** Runs the bundled action as the runner does: `node dist/index.js` with INPUT_* and GITHUB_* env. */
export async function runAction(options: {
  workspace: string;
  inputs: Record<string, string>;
  apiUrl?: string;
  eventName?: string;
  /** More environment, e.g. the AWS_* a configure-aws-credentials step exports. */
  env?: Record<string, string>;
}): Promise<ActionRun> {
  const runnerDir = mkdtempSync(path.join(tmpdir(), 'eni-action-runner-'));
  const eventPath = path.join(runnerDir, 'event.json');
  const outputPath = path.join(runnerDir, 'output');
  const summaryPath = path.join(runnerDir, 'summary.md');
  writeFileSync(
    eventPath,
    JSON.stringify({
      action: 'synchronize',
      number: PR_NUMBER,
      pull_request: { number: PR_NUMBER, head: { sha: 'abc' }, base: { sha: 'def' } },
      repository: { name: REPO, owner: { login: OWNER } },
    }),
  );
  // The runner creates both files before the step starts.
  writeFileSync(outputPath, '');
  writeFileSync(summaryPath, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: options.eventName ?? 'pull_request',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '42',
    GITHUB_API_URL: options.apiUrl ?? 'http://127.0.0.1:9',
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    RUNNER_TEMP: runnerDir,
    ...options.env,
  };
  for (const [name, value] of Object.entries(options.inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const started = process.hrtime.bigint();
  // Asynchronous: the fake API lives in this process and must keep answering while the action runs.
  const child = spawn(process.execPath, [runnableBundle()], {
    cwd: options.workspace,
    env,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const milliseconds = Number(process.hrtime.bigint() - started) / 1e6;
  return {
    code,
    stdout,
    stderr,
    annotations: parseAnnotations(stdout),
    outputs: parseOutputs(readFileSync(outputPath, 'utf8')),
    summary: readFileSync(summaryPath, 'utf8'),
    milliseconds,
  };
}

export function fixture(folder: string, file: string): string {
  return readFileSync(path.join(SHARED_FIXTURES, folder, file), 'utf8');
}

/**
 * The official SARIF 2.1.0 schema (draft-07, `$id` …/oasis-tcs/sarif-spec/…/Schemata/sarif-schema-2.1.0.json), as the
 * npm package @datadog/datadog-ci-plugin-sarif ships it for its own upload validation; read from the installed package
 * so that nothing here is a hand-made copy. Its `exports` hide the file from require(), so it is read by path.
 */
export function sarifValidator(): ValidateFunction {
  const packageJson = createRequire(__filename).resolve('@datadog/datadog-ci-plugin-sarif/package.json');
  const schema = JSON.parse(
    readFileSync(
      path.join(path.dirname(packageJson), 'dist', 'json-schema', 'sarif-schema-2.1.0.json'),
      'utf8',
    ),
  ) as { $id: string; $schema: string };
  const ajv = new Ajv({ allErrors: true });
  // The schema checks `format: uri` and `date-time`, which ajv leaves to ajv-formats.
  addFormats(ajv);
  return ajv.compile(schema);
}
