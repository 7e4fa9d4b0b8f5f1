import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { getOctokit } from '@actions/github';
import type { ChangedFiles } from './scope';

type Octokit = ReturnType<typeof getOctokit>;

export interface PullRequestRef {
  owner: string;
  repo: string;
  number: number;
}

/** Hidden in the rendered comment; finds the action's own comment among all of the pull request's comments. */
export const COMMENT_MARKER = '<!-- efs-node-identity:verify -->';

// A changed file larger than this is not searched for resource names (the core skips such files too).
const MAX_SEARCHED_BYTES = 2 * 1024 * 1024;

/** The files the pull request changed (every page: the API returns at most 100 per page, up to 3,000). */
export async function listChangedFiles(
  octokit: Octokit,
  pr: PullRequestRef,
  workspace: string,
): Promise<ChangedFiles> {
  const entries = await octokit.paginate(octokit.rest.pulls.listFiles, {
    owner: pr.owner,
    repo: pr.repo,
    pull_number: pr.number,
    per_page: 100,
  });
  const files = new Set<string>();
  const texts = new Map<string, string>();
  for (const entry of entries) {
    // A removed file has no findings of its own; what its removal breaks shows up in the files that remain.
    if (entry.status === 'removed') continue;
    files.add(entry.filename);
    const text = await readFile(path.join(workspace, entry.filename), 'utf8').catch(() => undefined);
    if (text !== undefined && text.length <= MAX_SEARCHED_BYTES) texts.set(entry.filename, text);
  }
  return { files, texts };
}

export type CommentOutcome = 'created' | 'updated' | 'none' | 'forbidden';

/**
 * One comment per pull request, updated in place: found by the marker on any page of the comment list. When there is
 * nothing to say and no earlier comment, nothing is posted; when an earlier comment exists, it is updated to say so.
 * A read-only token (fork pull requests) answers 403: reported as `forbidden`, not as a failure.
 */
export async function upsertComment(
  octokit: Octokit,
  pr: PullRequestRef,
  body: string | undefined,
  allFixed: string,
): Promise<CommentOutcome> {
  try {
    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
      owner: pr.owner,
      repo: pr.repo,
      issue_number: pr.number,
      per_page: 100,
    });
    const existing = comments.find((c) => c.body?.includes(COMMENT_MARKER));
    if (existing) {
      await octokit.rest.issues.updateComment({
        owner: pr.owner,
        repo: pr.repo,
        comment_id: existing.id,
        body: `${COMMENT_MARKER}\n${body ?? allFixed}`,
      });
      return 'updated';
    }
    if (body === undefined) return 'none';
    await octokit.rest.issues.createComment({
      owner: pr.owner,
      repo: pr.repo,
      issue_number: pr.number,
      body: `${COMMENT_MARKER}\n${body}`,
    });
    return 'created';
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 403 || status === 404) return 'forbidden';
    throw error;
  }
}
