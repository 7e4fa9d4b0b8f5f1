import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake GitHub REST/GraphQL API on 127.0.0.1 with the calls `publish:github:pull-request` (through
 * octokit-plugin-create-pull-request) and Backstage's GitHub URL reader make: read a repository and its latest commit,
 * read a file's raw contents, create blobs, trees, commits, a branch and a pull request. It records what was
 * pushed so a test can read the files of each pull request. Nothing else of GitHub is modelled.
 */

export interface FakePullRequest {
  owner: string;
  repo: string;
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  /** Path → text of every file the pull request's commit adds or changes. */
  files: Record<string, string>;
  htmlUrl: string;
}

export interface FakeGithub {
  apiBaseUrl: string;
  pullRequests: FakePullRequest[];
  /** `METHOD path` of every request, in order. */
  requests: string[];
  stop(): Promise<void>;
}

interface TreeEntry {
  path: string;
  content?: string;
  sha?: string | null;
}

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/**
 * Starts the fake. `files` are the repositories' existing files, by `owner/repo` then path (on the default branch
 * `main`).
 */
export async function startFakeGithub(
  files: Record<string, Record<string, string>> = {},
): Promise<FakeGithub> {
  const blobs = new Map<string, string>();
  const trees = new Map<string, TreeEntry[]>();
  const commits = new Map<string, string>(); // commit sha → tree sha
  const pullRequests: FakePullRequest[] = [];
  const requests: string[] = [];
  let counter = 0;
  const sha = (kind: string) => `${kind}${String(++counter).padStart(8, '0')}`;

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const method = req.method ?? 'GET';
      requests.push(`${method} ${url.pathname}`);
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(method === 'HEAD' ? undefined : JSON.stringify(payload));
      };
      const repoPath = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(url.pathname);
      if (method === 'POST' && url.pathname === '/graphql') {
        // The pull request plugin asks whether the head branch exists and has an open pull request: never here.
        return send(200, { data: { repository: { ref: null } } });
      }
      if (!repoPath) return send(404, { message: 'Not Found' });
      const [, owner, repo, rest = ''] = repoPath as unknown as [string, string, string, string];
      const key = `${owner}/${repo}`;
      if (method === 'GET' && rest === '') {
        return send(200, {
          name: repo,
          full_name: key,
          default_branch: 'main',
          permissions: { admin: true, push: true, pull: true },
        });
      }
      if (method === 'GET' && rest === '/commits') {
        return send(200, [{ sha: 'base-commit', commit: { tree: { sha: 'base-tree' } } }]);
      }
      const contents = /^\/contents\/(.+)$/.exec(rest);
      if (contents && (method === 'GET' || method === 'HEAD')) {
        const text = files[key]?.[decodeURIComponent(contents[1]!)];
        if (text === undefined) return send(404, { message: 'Not Found' });
        // The URL reader asks for the raw file (Accept: application/vnd.github.v3.raw).
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', etag: '"1"' });
        return res.end(method === 'HEAD' ? undefined : text);
      }
      const input = await body(req);
      if (method === 'POST' && rest === '/git/blobs') {
        const id = sha('blob');
        const content = String(input.content ?? '');
        blobs.set(
          id,
          input.encoding === 'base64' ? Buffer.from(content, 'base64').toString('utf8') : content,
        );
        return send(201, { sha: id });
      }
      if (method === 'POST' && rest === '/git/trees') {
        const id = sha('tree');
        trees.set(id, (input.tree as TreeEntry[]) ?? []);
        return send(201, { sha: id });
      }
      if (method === 'POST' && rest === '/git/commits') {
        const id = sha('commit');
        commits.set(id, String(input.tree));
        return send(201, { sha: id });
      }
      if (method === 'POST' && rest === '/git/refs')
        return send(201, { ref: input.ref, object: { sha: input.sha } });
      if (method === 'POST' && rest === '/pulls') {
        const head = String(input.head).split(':').pop()!;
        const number = pullRequests.length + 1;
        // The last commit the branch points at is the last one created.
        const tree = trees.get([...commits.values()].pop() ?? '') ?? [];
        const pr: FakePullRequest = {
          owner,
          repo,
          number,
          title: String(input.title),
          body: String(input.body ?? ''),
          head,
          base: String(input.base),
          files: Object.fromEntries(
            tree.map((e) => [e.path, e.content ?? (e.sha ? (blobs.get(e.sha) ?? '') : '')]),
          ),
          htmlUrl: `https://github.com/${key}/pull/${number}`,
        };
        pullRequests.push(pr);
        return send(201, { number, html_url: pr.htmlUrl, head: { ref: head }, base: { ref: pr.base } });
      }
      return send(404, { message: `the fake GitHub does not know ${method} ${url.pathname}` });
    })().catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    apiBaseUrl: `http://127.0.0.1:${port}`,
    pullRequests,
    requests,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
