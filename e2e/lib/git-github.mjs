// A fake GitHub on 127.0.0.1 whose repositories are real git repositories on disk (bare, one per `owner/repo`), so
// that what Backstage's `publish:github:pull-request` pushes through the REST API (blobs, trees, commits, a branch,
// a pull request) ends up as real commits on a real branch, which a journey checks out and runs the Action on, and
// merges. It answers the calls of octokit-plugin-create-pull-request (which publish:github:pull-request uses), of
// Backstage's GitHub URL reader (a file's raw contents) and of the Action (a pull request's files, its issue
// comments). Nothing else of GitHub is modelled.
import { Buffer } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { URL } from 'node:url';

const AUTHOR = { GIT_AUTHOR_NAME: 'Backstage', GIT_AUTHOR_EMAIL: 'backstage@example.com' };

/** Runs git with `cwd`/`GIT_DIR` and optional stdin; throws with git's message on failure. */
function gitIn(gitDir, args, { input, env = {} } = {}) {
  const r = spawnSync('git', args, {
    input,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_DIR: gitDir,
      ...AUTHOR,
      GIT_COMMITTER_NAME: AUTHOR.GIT_AUTHOR_NAME,
      GIT_COMMITTER_EMAIL: AUTHOR.GIT_AUTHOR_EMAIL,
      ...env,
    },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/**
 * Starts the fake. `repositories`: `owner/repo` → { path → text } committed on `main`. Returns the API URL, the
 * pull requests opened (`{ owner, repo, number, head, base, title, body, htmlUrl }`), each repository's bare git
 * directory (`gitDir(key)`), `files(key, ref)`, `checkout(key, ref, dir)`, `merge(pr)` and `comments` per pull
 * request for the Action.
 */
export async function startGitBackedGitHub(repositories) {
  const root = mkdtempSync(join(tmpdir(), 'e2e-github-'));
  const gitDirs = new Map();
  for (const [key, files] of Object.entries(repositories)) {
    const gitDir = join(root, `${key}.git`);
    mkdirSync(gitDir, { recursive: true });
    gitIn(gitDir, ['init', '-q', '--bare', '-b', 'main']);
    // The first commit: the files written through a temporary work tree.
    const work = mkdtempSync(join(root, 'work-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(work, path)), { recursive: true });
      writeFileSync(join(work, path), text);
    }
    const env = { GIT_WORK_TREE: work, GIT_INDEX_FILE: join(root, `${key.replace('/', '_')}.index`) };
    gitIn(gitDir, ['add', '-A'], { env });
    gitIn(gitDir, ['commit', '-q', '-m', 'Initial commit'], { env });
    rmSync(work, { recursive: true, force: true });
    gitDirs.set(key, gitDir);
  }

  const pullRequests = [];
  const comments = new Map(); // "owner/repo#n" → [{ id, body }]
  const requests = [];
  let nextCommentId = 1;
  let indexCounter = 0;

  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const method = req.method ?? 'GET';
      requests.push(`${method} ${url.pathname}${url.search}`);
      const send = (status, payload, headers = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(method === 'HEAD' ? undefined : JSON.stringify(payload));
      };
      try {
        const input = raw ? JSON.parse(raw) : {};
        if (method === 'POST' && url.pathname === '/graphql') {
          // The pull request plugin asks whether the head branch exists and has an open pull request.
          const key = `${input.variables?.owner}/${input.variables?.repo}`;
          const gitDir = gitDirs.get(key);
          const exists =
            gitDir &&
            spawnSync('git', ['show-ref', '--verify', '-q', `refs/heads/${input.variables?.head}`], {
              env: { ...process.env, GIT_DIR: gitDir },
            }).status === 0;
          return send(200, {
            data: { repository: { ref: exists ? { associatedPullRequests: { edges: [] } } : null } },
          });
        }
        const match = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(url.pathname);
        const key = match && `${match[1]}/${match[2]}`;
        const gitDir = key && gitDirs.get(key);
        if (!gitDir) return send(404, { message: 'Not Found' });
        const [, owner, repo, rest = ''] = match;
        const git = (args, options) => gitIn(gitDir, args, options);

        if (method === 'GET' && rest === '') {
          return send(200, {
            name: repo,
            full_name: key,
            owner: { login: owner },
            default_branch: 'main',
            html_url: `https://github.com/${key}`,
            permissions: { admin: true, push: true, pull: true },
          });
        }
        if (method === 'GET' && rest === '/commits') {
          const sha = git(['rev-parse', url.searchParams.get('sha') ?? 'main']);
          return send(200, [{ sha, commit: { tree: { sha: git(['rev-parse', `${sha}^{tree}`]) } } }]);
        }
        const contents = /^\/contents\/(.+)$/.exec(rest);
        if (contents && (method === 'GET' || method === 'HEAD')) {
          const path = decodeURIComponent(contents[1]);
          const ref = url.searchParams.get('ref') ?? 'main';
          let blob;
          try {
            blob = git(['rev-parse', `${ref}:${path}`]);
          } catch {
            return send(404, { message: 'Not Found' });
          }
          const text = git(['cat-file', 'blob', blob]);
          // Backstage's URL reader asks for the raw file (Accept: application/vnd.github.v3.raw); the ETag is the blob,
          // so a changed file is read again.
          if (/raw/.test(req.headers.accept ?? '')) {
            if (req.headers['if-none-match'] === `"${blob}"`) {
              res.writeHead(304, { etag: `"${blob}"` });
              return res.end();
            }
            res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', etag: `"${blob}"` });
            return res.end(method === 'HEAD' ? undefined : `${text}\n`);
          }
          return send(200, {
            type: 'file',
            path,
            sha: blob,
            encoding: 'base64',
            content: Buffer.from(`${text}\n`).toString('base64'),
          });
        }
        if (method === 'POST' && rest === '/git/blobs') {
          const content = String(input.content ?? '');
          const bytes =
            input.encoding === 'base64' ? Buffer.from(content, 'base64') : Buffer.from(content, 'utf8');
          const sha = gitIn(gitDir, ['hash-object', '-w', '--stdin'], { input: bytes });
          return send(201, { sha });
        }
        if (method === 'POST' && rest === '/git/trees') {
          // A temporary index: the base tree, then each entry added (from its blob or its text) or removed.
          const env = { GIT_INDEX_FILE: join(root, `tree-${++indexCounter}.index`) };
          if (input.base_tree) git(['read-tree', input.base_tree], { env });
          else git(['read-tree', '--empty'], { env });
          for (const entry of input.tree ?? []) {
            if (entry.sha === null) {
              git(['update-index', '--force-remove', entry.path], { env });
              continue;
            }
            const sha =
              entry.sha ?? gitIn(gitDir, ['hash-object', '-w', '--stdin'], { input: entry.content ?? '' });
            git(['update-index', '--add', '--cacheinfo', `${entry.mode ?? '100644'},${sha},${entry.path}`], {
              env,
            });
          }
          const sha = git(['write-tree'], { env });
          rmSync(env.GIT_INDEX_FILE, { force: true });
          return send(201, { sha });
        }
        if (method === 'POST' && rest === '/git/commits') {
          const parents = (input.parents ?? []).flatMap((p) => ['-p', p]);
          const sha = git(['commit-tree', input.tree, ...parents], { input: String(input.message ?? '') });
          return send(201, { sha, tree: { sha: input.tree } });
        }
        if (method === 'POST' && rest === '/git/refs') {
          git(['update-ref', input.ref, input.sha]);
          return send(201, { ref: input.ref, object: { sha: input.sha } });
        }
        const ref = /^\/git\/refs\/(heads\/.+)$/.exec(rest);
        if (method === 'PATCH' && ref) {
          git(['update-ref', `refs/${ref[1]}`, input.sha]);
          return send(200, { ref: `refs/${ref[1]}`, object: { sha: input.sha } });
        }
        if (method === 'POST' && rest === '/pulls') {
          const number = pullRequests.filter((p) => p.key === key).length + 1;
          const pr = {
            key,
            owner,
            repo,
            number,
            title: String(input.title ?? ''),
            body: String(input.body ?? ''),
            head: String(input.head).split(':').pop(),
            base: String(input.base ?? 'main'),
            htmlUrl: `https://github.com/${key}/pull/${number}`,
          };
          pr.baseSha = git(['rev-parse', pr.base]);
          pr.headSha = git(['rev-parse', `refs/heads/${pr.head}`]);
          pullRequests.push(pr);
          comments.set(`${key}#${number}`, []);
          return send(201, {
            number,
            html_url: pr.htmlUrl,
            head: { ref: pr.head, sha: pr.headSha },
            base: { ref: pr.base },
          });
        }
        // The Action: the pull request's files, paged like the real API.
        const files = /^\/pulls\/(\d+)\/files$/.exec(rest);
        if (method === 'GET' && files) {
          const pr = pullRequests.find((p) => p.key === key && p.number === Number(files[1]));
          if (!pr) return send(404, { message: 'Not Found' });
          const changed = git(['diff', '--name-status', `${pr.baseSha}...refs/heads/${pr.head}`])
            .split('\n')
            .filter(Boolean)
            .map((line) => {
              const [status, filename] = line.split('\t');
              return {
                filename,
                status: { A: 'added', M: 'modified', D: 'removed' }[status[0]] ?? 'modified',
              };
            });
          return page(changed);
        }
        const issue = /^\/issues\/(\d+)\/comments$/.exec(rest);
        if (issue) {
          const list = comments.get(`${key}#${issue[1]}`);
          if (!list) return send(404, { message: 'Not Found' });
          if (method === 'GET') return page(list);
          if (method === 'POST') {
            const comment = { id: nextCommentId++, body: String(input.body) };
            list.push(comment);
            return send(201, comment);
          }
        }
        const update = /^\/issues\/comments\/(\d+)$/.exec(rest);
        if (method === 'PATCH' && update) {
          const comment = [...comments.values()].flat().find((c) => c.id === Number(update[1]));
          if (!comment) return send(404, { message: 'Not Found' });
          comment.body = String(input.body);
          return send(200, comment);
        }
        return send(404, { message: `the fake GitHub does not know ${method} ${url.pathname}` });

        function page(items) {
          const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? '30'));
          const n = Number(url.searchParams.get('page') ?? '1');
          const last = Math.max(1, Math.ceil(items.length / perPage));
          const headers = {};
          if (n < last) {
            const next = new URL(url.toString());
            next.searchParams.set('page', String(n + 1));
            headers.link = `<http://${req.headers.host}${next.pathname}${next.search}>; rel="next"`;
          }
          return send(200, items.slice((n - 1) * perPage, n * perPage), headers);
        }
      } catch (error) {
        send(500, { message: error instanceof Error ? error.message : String(error) });
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const apiUrl = `http://127.0.0.1:${server.address().port}`;

  return {
    apiUrl,
    pullRequests,
    requests,
    /** The comments of a pull request. */
    commentsOf: (pr) => comments.get(`${pr.key}#${pr.number}`) ?? [],
    gitDir: (key) => gitDirs.get(key),
    /** Path → text of every file at `ref` (a branch or commit) of a repository. */
    files(key, ref = 'main') {
      const gitDir = gitDirs.get(key);
      const out = {};
      for (const path of gitIn(gitDir, ['ls-tree', '-r', '--name-only', ref]).split('\n').filter(Boolean))
        out[path] = gitIn(gitDir, ['show', `${ref}:${path}`]);
      return out;
    },
    /** Clones the repository into `dir` with `ref` checked out (what actions/checkout does on a pull request). */
    checkout(key, ref, dir) {
      const r = spawnSync('git', ['clone', '-q', gitDirs.get(key), dir], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`git clone: ${r.stderr}`);
      const c = spawnSync('git', ['checkout', '-q', ref], { cwd: dir, encoding: 'utf8' });
      if (c.status !== 0) throw new Error(`git checkout ${ref}: ${c.stderr}`);
      return dir;
    },
    /** Merges a pull request as GitHub's "Merge" button does: a merge commit of head into base. */
    merge(pr) {
      const gitDir = gitDirs.get(pr.key);
      const base = gitIn(gitDir, ['rev-parse', pr.base]);
      const head = gitIn(gitDir, ['rev-parse', `refs/heads/${pr.head}`]);
      const tree = gitIn(gitDir, ['merge-tree', '--write-tree', base, head]).split('\n')[0];
      const commit = gitIn(gitDir, ['commit-tree', tree, '-p', base, '-p', head], {
        input: `Merge pull request #${pr.number} from ${pr.owner}/${pr.head}\n\n${pr.title}`,
      });
      gitIn(gitDir, ['update-ref', `refs/heads/${pr.base}`, commit]);
      pr.merged = commit;
      return commit;
    },
    stop: async () => {
      await new Promise((resolve) => server.close(resolve));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
