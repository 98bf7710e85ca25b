// The repo-updater demo's web server (compose/repo-updater.yaml and its end-to-end test): serves the
// files of the checkout repo-updater publishes, read-only, through its `current` symlink, which is
// resolved again on every request, so a new commit is served as soon as the link is swapped.
//   GET /<path>        a file of the checkout (index.html for a directory); dotfiles (.git) are refused
//   GET /-/commit      the commit being served (the basename of the link's target)
//   GET /livez, /readyz (200 once the link exists)
// Plain Node, no dependencies: `node repo-demo-web.mjs --addr 0.0.0.0:8080 --dir /repo/current`.
import { readFile, readlink, realpath, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { basename, extname, join, normalize, sep } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    addr: { type: 'string', default: '0.0.0.0:8080' },
    dir: { type: 'string', default: '/repo/current' },
  },
});
const colon = values.addr.lastIndexOf(':');
const host = values.addr.slice(0, colon);
const port = Number(values.addr.slice(colon + 1));
const types = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

const log = (msg, extra = {}) =>
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), msg, ...extra })}\n`);

function send(res, status, body, type = 'text/plain; charset=utf-8') {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

async function serveFile(res, path) {
  // The tree as of now: one realpath of the link, so a whole request sees one commit.
  const root = await realpath(values.dir).catch(() => undefined);
  if (!root) return send(res, 503, `nothing published at ${values.dir} yet\n`);
  const relative = normalize(decodeURIComponent(path)).replace(/^[/\\]+/, '');
  if (relative.split(/[/\\]/).some((part) => part.startsWith('.'))) return send(res, 404, 'not found\n');
  let file = join(root, relative);
  if (!file.startsWith(root + sep) && file !== root) return send(res, 404, 'not found\n');
  try {
    if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
    const body = await readFile(file);
    send(res, 200, body, types[extname(file)] ?? 'application/octet-stream');
  } catch {
    send(res, 404, 'not found\n');
  }
}

const server = createServer((req, res) => {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n');
  let path;
  try {
    path = new URL(req.url ?? '/', 'http://web').pathname;
    decodeURIComponent(path);
  } catch {
    return send(res, 400, 'bad request\n');
  }
  switch (path) {
    case '/livez':
      return send(res, 200, 'ok\n');
    case '/readyz':
      return void realpath(values.dir).then(
        () => send(res, 200, 'ok\n'),
        () => send(res, 503, 'not published yet\n'),
      );
    case '/-/commit':
      return void readlink(values.dir).then(
        (target) => send(res, 200, `${basename(target)}\n`),
        () => send(res, 503, 'not published yet\n'),
      );
    default:
      return void serveFile(res, path).catch((error) => send(res, 500, `${error.message}\n`));
  }
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    log('stopping', { signal });
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}

server.listen(port, host, () => log('listening', { addr: values.addr, dir: values.dir }));
