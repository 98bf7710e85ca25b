// The config-syncer demo's app: loads one config file at start and again only when told, like nginx or
// Prometheus, so the demo shows config-syncer telling it.
//   GET /             the config as last loaded (503 before one loaded)
//   GET /-/status     JSON: file, sha256, reloads, reason of the last load (start, signal, http), revision
//   POST /-/reload    re-read now (config-syncer --notify-url); the JSON body's revision is recorded
//   SIGHUP            re-read now (config-syncer --notify-process config-demo-app)
//   GET /livez, /readyz (200 once a config loaded)
// Plain Node, no dependencies: `node config-demo-app.mjs --addr 0.0.0.0:3000 --config /config/app.json`.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

// Sets the kernel's name of the process (comm) too: what config-syncer's --notify-process matches.
process.title = 'config-demo-app';

const { values } = parseArgs({
  options: {
    addr: { type: 'string', default: '0.0.0.0:3000' },
    config: { type: 'string', default: '/config/app.json' },
  },
});
const colon = values.addr.lastIndexOf(':');
const host = values.addr.slice(0, colon);
const port = Number(values.addr.slice(colon + 1));

const log = (msg, extra = {}) =>
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), msg, ...extra })}\n`);

const state = { text: null, sha256: null, reloads: 0, reason: null, revision: null, error: null };

/** Re-reads the file; a failed read keeps the config loaded before. */
function load(reason, revision = null) {
  try {
    const text = readFileSync(values.config, 'utf8');
    Object.assign(state, {
      text,
      sha256: createHash('sha256').update(text).digest('hex'),
      reloads: reason === 'start' ? 0 : state.reloads + 1,
      reason,
      revision,
      error: null,
    });
    log('config loaded', { reason, sha256: state.sha256, revision });
  } catch (error) {
    state.error = error.message;
    log('config not loaded', { reason, error: error.message });
  }
}

function send(res, status, body, type = 'text/plain; charset=utf-8') {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://app').pathname;
  if (req.method === 'POST' && path === '/-/reload') {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      if (body.length < 65_536) body += chunk;
    });
    req.on('end', () => {
      let revision = req.headers['x-config-revision'] ?? null;
      try {
        revision = JSON.parse(body).revision ?? revision;
      } catch {}
      load('http', revision);
      send(res, state.error ? 500 : 200, `${JSON.stringify(state)}\n`, 'application/json');
    });
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n');
  switch (path) {
    case '/livez':
      return send(res, 200, 'ok\n');
    case '/readyz':
      return state.text === null ? send(res, 503, 'no config loaded\n') : send(res, 200, 'ok\n');
    case '/-/status': {
      const { text: _, ...status } = state;
      return send(res, 200, `${JSON.stringify({ file: values.config, ...status })}\n`, 'application/json');
    }
    case '/':
      return state.text === null
        ? send(res, 503, `no config loaded from ${values.config}: ${state.error}\n`)
        : send(res, 200, state.text);
    default:
      return send(res, 404, 'not found\n');
  }
});

process.on('SIGHUP', () => load('signal'));
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    log('stopping', { signal });
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}

load('start');
server.listen(port, host, () => log('listening', { addr: values.addr, config: values.config }));
