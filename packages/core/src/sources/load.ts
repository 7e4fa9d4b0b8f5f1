import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { emptySnapshot, mergeSnapshots, type Snapshot } from '../model/snapshot';
import { LocatedParseError, parseLocatedJson, parseLocatedYaml, type LocatedDocument } from '../util/located';
import { findInlineSuppressions } from '../config/inline-suppressions';
import { documentSources, terraformModuleReader, yamlTagHook } from './registry';
import type { ParsedFile, SourceFile } from './types';

/** Files larger than this are skipped with a notice (SRC-02). */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

const SKIPPED_DIRECTORIES = new Set(['.git', 'node_modules', '.terraform', '.turbo']);
const DOCUMENT_EXTENSIONS = ['.json', '.yaml', '.yml', '.template'];

export interface LoadOptions {
  /** Paths in findings are relative to this directory. Default: the single directory scanned, else the cwd. */
  root?: string;
  /** Only parse (the benchmark's baseline): build the snapshot but let the caller skip the rules. */
  onFile?: (file: string) => void;
}

export interface LoadResult {
  snapshot: Snapshot;
  root: string;
  /** Every file that was read, relative to the root. */
  files: string[];
}

/** Walks the given files and directories and builds one static Snapshot from everything recognised in them. */
export async function loadStaticSnapshot(paths: string[], options: LoadOptions = {}): Promise<LoadResult> {
  const targets = paths.length > 0 ? paths : ['.'];
  const root = path.resolve(options.root ?? (await defaultRoot(targets)));
  const snapshot = emptySnapshot(['S']);
  const found: string[] = [];
  for (const target of targets) {
    for (const entry of await collect(path.resolve(target), root)) {
      if (typeof entry === 'string') found.push(entry);
      else snapshot.notices.push(entry);
    }
  }
  const unique = [...new Set(found)].sort();
  const terraformByDirectory = new Map<string, SourceFile[]>();
  const files: string[] = [];
  const reads = readAhead(unique);
  for (const [index, absolute] of unique.entries()) {
    const file = toPosix(path.relative(root, absolute)) || path.basename(absolute);
    const text = decodeText(await reads.take(index), file, snapshot);
    if (text === undefined) continue;
    files.push(file);
    options.onFile?.(file);
    if (absolute.endsWith('.tf')) {
      const dir = path.dirname(absolute);
      const list = terraformByDirectory.get(dir) ?? [];
      list.push({ file, text });
      terraformByDirectory.set(dir, list);
      snapshot.inlineSuppressions.push(...findInlineSuppressions(file, text, 'hcl'));
      continue;
    }
    readDocumentFile({ file, text }, snapshot);
  }
  for (const [, moduleFiles] of terraformByDirectory) {
    try {
      mergeSnapshots(snapshot, await terraformModuleReader(moduleFiles));
    } catch (error) {
      for (const f of moduleFiles) {
        snapshot.notices.push({
          kind: 'parse-error',
          file: f.file,
          message: `could not read Terraform: ${messageOf(error)}`,
        });
      }
    }
  }
  return { snapshot, root, files };
}

/** Reads one YAML/JSON file into the snapshot: every document goes to the first source that claims it. */
export function readDocumentFile(source: SourceFile, snapshot: Snapshot): void {
  const { file, text } = source;
  if (text.trim() === '') {
    snapshot.notices.push({ kind: 'skipped', file, message: 'empty file' });
    return;
  }
  const isJson = file.endsWith('.json') || /^\s*[{[]/.test(text);
  let documents: LocatedDocument[];
  try {
    documents = isJson
      ? [parseLocatedJson(text, { onTag: yamlTagHook })]
      : parseLocatedYaml(text, { onTag: yamlTagHook });
  } catch (error) {
    if (!isJson && /\{\{/.test(text)) {
      snapshot.notices.push({
        kind: 'skipped',
        file,
        message:
          'a Helm template: it is YAML only once rendered (check the rendered manifests: helm template …)',
      });
      return;
    }
    const line = error instanceof LocatedParseError ? error.line : undefined;
    snapshot.notices.push({
      kind: 'parse-error',
      file,
      ...(line !== undefined ? { line } : {}),
      message: `could not parse ${isJson ? 'JSON' : 'YAML'}: ${messageOf(error)}`,
    });
    return;
  }
  if (!isJson) snapshot.inlineSuppressions.push(...findInlineSuppressions(file, text, 'yaml'));
  const parsed: ParsedFile = { file, text, format: isJson ? 'json' : 'yaml', documents };
  const claimed = new Map<(typeof documentSources)[number], LocatedDocument[]>();
  for (const document of documents) {
    if (document.value === null || typeof document.value !== 'object') continue;
    const source = documentSources.find((s) => safeClaims(s, document, parsed));
    if (!source) continue;
    const list = claimed.get(source) ?? [];
    list.push(document);
    claimed.set(source, list);
  }
  for (const [source, docs] of claimed) {
    try {
      mergeSnapshots(snapshot, source.read(docs, parsed));
    } catch (error) {
      snapshot.notices.push({
        kind: 'parse-error',
        file,
        message: `could not read as ${source.name}: ${messageOf(error)}`,
      });
    }
  }
}

function safeClaims(
  source: (typeof documentSources)[number],
  document: LocatedDocument,
  file: ParsedFile,
): boolean {
  try {
    return source.claims(document, file);
  } catch {
    return false;
  }
}

async function defaultRoot(targets: string[]): Promise<string> {
  if (targets.length === 1) {
    const stat = await fs.stat(targets[0]).catch(() => undefined);
    if (stat?.isDirectory()) return targets[0];
    if (stat?.isFile()) return path.dirname(targets[0]);
  }
  return process.cwd();
}

type Collected = string | Snapshot['notices'][number];

/**
 * The candidate files under `absolute`, with a notice for each one skipped, in directory order. The entries of a
 * directory are examined concurrently: each costs an lstat, a round trip to libuv's thread pool, and one at a time they
 * leave the process idle most of the time on a repository of thousands of files. The order of the result does not
 * depend on which answer comes first.
 */
async function collect(absolute: string, root: string): Promise<Collected[]> {
  let stat;
  try {
    stat = await fs.lstat(absolute);
  } catch {
    throw new InputPathError(`no such file or directory: ${absolute}`);
  }
  if (stat.isSymbolicLink()) {
    // Symlinked files are read; symlinked directories are not followed (they may loop).
    const target = await fs.stat(absolute).catch(() => undefined);
    return target?.isFile() && isCandidate(absolute) ? [absolute] : [];
  }
  if (stat.isDirectory()) {
    const entries = await fs.readdir(absolute, { withFileTypes: true });
    const nested = await Promise.all(
      entries
        .filter((entry) => !(entry.isDirectory() && SKIPPED_DIRECTORIES.has(entry.name)))
        .map((entry) => collect(path.join(absolute, entry.name), root)),
    );
    return nested.flat();
  }
  if (!stat.isFile() || !isCandidate(absolute)) return [];
  if (stat.size > MAX_FILE_BYTES) {
    return [
      {
        kind: 'skipped',
        file: toPosix(path.relative(root, absolute)),
        message: `larger than 10 MB (${(stat.size / 1024 / 1024).toFixed(1)} MB): not checked`,
      },
    ];
  }
  return [absolute];
}

/** Files read ahead of the parser: this many reads in flight at most (each file is at most MAX_FILE_BYTES). */
const READ_AHEAD = 16;

/**
 * Reads the files in the background, up to READ_AHEAD ahead of the consumer, which takes them in order: the parsing
 * of one file overlaps the reading of the next ones instead of waiting for each (a read is an open, fstat, read and
 * close on the thread pool). A failed read fails the `take` of that file, as a sequential read would.
 */
function readAhead(files: string[]): { take(index: number): Promise<Buffer> } {
  const pending = new Map<number, Promise<Buffer>>();
  const start = (index: number) => {
    if (index >= files.length || pending.has(index)) return;
    const read = fs.readFile(files[index]!);
    // Handled when taken; this keeps a failure of a file not yet taken from being reported as unhandled.
    read.catch(() => undefined);
    pending.set(index, read);
  };
  for (let i = 0; i < READ_AHEAD; i++) start(i);
  return {
    take(index) {
      start(index);
      const read = pending.get(index)!;
      pending.delete(index);
      start(index + READ_AHEAD);
      return read;
    },
  };
}

function isCandidate(file: string): boolean {
  return file.endsWith('.tf') || DOCUMENT_EXTENSIONS.some((ext) => file.endsWith(ext));
}

function decodeText(buffer: Buffer, file: string, snapshot: Snapshot): string | undefined {
  const head = buffer.subarray(0, 8000);
  if (head.includes(0)) {
    snapshot.notices.push({ kind: 'parse-error', file, message: 'a binary file (NUL bytes), not text' });
    return undefined;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buffer);
  } catch {
    snapshot.notices.push({ kind: 'parse-error', file, message: 'not valid UTF-8 text' });
    return undefined;
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A path given on the command line does not exist (a usage error, not a finding). */
export class InputPathError extends Error {}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
