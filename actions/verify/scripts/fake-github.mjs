// The part of the GitHub REST API the action calls on a pull request, on loopback: the pull request's files (paged
// like the real API, `per_page` up to 100 with a `Link` header) and its issue comments (list, create, update).
// Enough for the action to run its whole pull-request path without a network (bench/action-verdict.mjs and
// scripts/run-on-pr.mjs use it); the answers are instant, so a timing measures the action, not an API.
import { createServer } from 'node:http';
import { URL } from 'node:url';

export async function startFakeGitHub({ owner, repo, number, changedFiles }) {
  const comments = [];
  let nextId = 1;
  const base = `/repos/${owner}/${repo}`;
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const send = (status, body, headers = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      const page = (items) => {
        const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? '30'));
        const n = Number(url.searchParams.get('page') ?? '1');
        const last = Math.max(1, Math.ceil(items.length / perPage));
        const headers = {};
        if (n < last) {
          const next = new URL(url.toString());
          next.searchParams.set('page', String(n + 1));
          headers.link = `<http://${req.headers.host}${next.pathname}${next.search}>; rel="next"`;
        }
        send(200, items.slice((n - 1) * perPage, n * perPage), headers);
      };
      if (req.method === 'GET' && url.pathname === `${base}/pulls/${number}/files`)
        return page(changedFiles.map((filename) => ({ filename, status: 'modified' })));
      if (req.method === 'GET' && url.pathname === `${base}/issues/${number}/comments`) return page(comments);
      if (req.method === 'POST' && url.pathname === `${base}/issues/${number}/comments`) {
        const comment = { id: nextId++, body: JSON.parse(raw).body };
        comments.push(comment);
        return send(201, comment);
      }
      const update = new RegExp(`^${base}/issues/comments/(\\d+)$`).exec(url.pathname);
      if (req.method === 'PATCH' && update) {
        const comment = comments.find((c) => c.id === Number(update[1]));
        if (!comment) return send(404, { message: 'Not Found' });
        comment.body = JSON.parse(raw).body;
        return send(200, comment);
      }
      send(404, { message: `no route for ${req.method} ${url.pathname}` });
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    comments,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
