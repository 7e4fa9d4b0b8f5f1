import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** Everything the action was asked to do, read and validated before any work starts. */
export interface ActionInputs {
  /** Absolute paths or globs resolved against the workspace. */
  paths: string[];
  /** `auto` already resolved against the event. */
  changedFilesOnly: boolean;
  /** Absolute path of the config file, when given. */
  config?: string;
  failOn: 'error' | 'warning' | 'never';
  comment: boolean;
  /** Absolute path. */
  sarifFile: string;
  token: string;
  live?: { cluster: string; region: string; fileSystems: string[] };
}

/** A bad input: the message names the input and the rule it broke. */
export class InputError extends Error {
  constructor(input: string, rule: string) {
    super(`input ${input}: ${rule}`);
    this.name = 'InputError';
  }
}

/** What inputs.ts needs from the run; passed in so the rules stay plain functions of their arguments. */
export interface InputContext {
  env: NodeJS.ProcessEnv;
  eventName: string;
  workspace: string;
}

/** `INPUT_<NAME>` as the runner sets it: spaces become underscores, upper case, the rest (hyphens too) kept. */
function raw(env: NodeJS.ProcessEnv, name: string): string {
  return (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

function oneOf<T extends string>(
  env: NodeJS.ProcessEnv,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const value = raw(env, name) || fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new InputError(name, `must be one of ${allowed.join(', ')}; got '${value}'`);
  }
  return value as T;
}

function list(env: NodeJS.ProcessEnv, name: string): string[] {
  return raw(env, name)
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Inside the workspace: the action must not read or write outside the checked-out repository by accident. */
function insideWorkspace(workspace: string, name: string, value: string): string {
  const absolute = path.resolve(workspace, value);
  const relative = path.relative(workspace, absolute);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new InputError(name, `'${value}' is outside the repository (${workspace})`);
  }
  return absolute;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const FILE_SYSTEM_ID = /^fs-[0-9a-f]{8,17}$/;
// Amazon S3 Files IDs are fs- and 17-40 hex digits (the S3 Files API reference); the s3files: prefix of the driver's
// volume handles tells them from EFS IDs.
const S3FILES_FILE_SYSTEM_ID = /^s3files:fs-[0-9a-f]{17,40}$/;
// EKS cluster names: 1-100 characters, alphanumeric first, then alphanumerics, hyphens and underscores.
const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;

/** Reads every input at once and fails on the first one that breaks its rule. */
export function readInputs({ env, eventName, workspace }: InputContext): ActionInputs {
  const paths = list(env, 'paths');
  const resolvedPaths = (paths.length > 0 ? paths : ['.']).map((p) => insideWorkspace(workspace, 'paths', p));

  const changed = oneOf(env, 'changed-files-only', ['auto', 'true', 'false'] as const, 'auto');
  // Action defaults are static strings, so `auto` is decided here: only a pull request has a set of changed files.
  const isPullRequest = eventName === 'pull_request' || eventName === 'pull_request_target';
  if (changed === 'true' && !isPullRequest) {
    throw new InputError(
      'changed-files-only',
      `true needs a pull_request event; this run is '${eventName || 'unknown'}'`,
    );
  }
  const changedFilesOnly = changed === 'auto' ? isPullRequest : changed === 'true';

  const configRaw = raw(env, 'config');
  const config = configRaw ? insideWorkspace(workspace, 'config', configRaw) : undefined;
  if (config && !existsSync(config)) throw new InputError('config', `no file at '${configRaw}'`);

  const failOn = oneOf(env, 'fail-on', ['error', 'warning', 'never'] as const, 'error');
  const comment = oneOf(env, 'comment', ['true', 'false'] as const, 'true') === 'true';

  const sarifRaw = raw(env, 'sarif-file');
  const sarifFile = sarifRaw
    ? insideWorkspaceOrTemp(env, workspace, sarifRaw)
    : path.join(env.RUNNER_TEMP || tmpdir(), 'efs-node-identity.sarif');

  const token = raw(env, 'token');
  if (!token && changedFilesOnly) {
    throw new InputError('token', 'is empty, but changed-files-only needs it to list the pull request files');
  }
  if (!token && comment && isPullRequest) {
    throw new InputError('token', 'is empty, but comment: true needs it to write the pull request comment');
  }

  const live = oneOf(env, 'live', ['true', 'false'] as const, 'false') === 'true';
  const cluster = raw(env, 'cluster');
  const region = raw(env, 'region');
  const fileSystems = list(env, 'file-systems');
  if (!live) {
    for (const name of ['cluster', 'region', 'file-systems']) {
      if (raw(env, name)) throw new InputError(name, 'is only used with live: true');
    }
  } else {
    if (!cluster) throw new InputError('cluster', 'is required with live: true');
    if (!CLUSTER_NAME.test(cluster))
      throw new InputError('cluster', `'${cluster}' is not an EKS cluster name`);
    if (!region) throw new InputError('region', 'is required with live: true');
    if (!REGION.test(region))
      throw new InputError('region', `'${region}' is not an AWS region such as eu-west-1`);
    const bad = fileSystems.find((id) => !FILE_SYSTEM_ID.test(id) && !S3FILES_FILE_SYSTEM_ID.test(id));
    if (bad)
      throw new InputError(
        'file-systems',
        `'${bad}' is not a file system ID (EFS: fs- and 8 or 17 hex digits; S3 Files: s3files:fs- and 17-40 hex digits)`,
      );
  }

  return {
    paths: resolvedPaths,
    changedFilesOnly,
    ...(config ? { config } : {}),
    failOn,
    comment,
    sarifFile,
    token,
    ...(live ? { live: { cluster, region, fileSystems } } : {}),
  };
}

/** The SARIF file may also go to the runner's temp directory, which is where upload steps usually read from. */
function insideWorkspaceOrTemp(env: NodeJS.ProcessEnv, workspace: string, value: string): string {
  const temp = env.RUNNER_TEMP;
  if (temp && path.isAbsolute(value) && !path.relative(temp, value).startsWith('..')) return value;
  return insideWorkspace(workspace, 'sarif-file', value);
}
