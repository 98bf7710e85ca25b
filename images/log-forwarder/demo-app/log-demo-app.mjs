// The log-forwarder demo's app: answers every request and appends one JSON access-log line per request
// to a file (by default /logs/access.log, in the volume log-forwarder follows), like nginx's access log.
//   GET /livez, /readyz  200 (not logged: the health checks would fill the log)
//   anything else        200 with the request id; logged as {time, id, method, path, status, ms, ua}
// The request id is the X-Request-Id header when given, else a random one.
// Plain Node, no dependencies: `node log-demo-app.mjs --addr 0.0.0.0:3000 --log /logs/access.log`.
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

process.title = 'log-demo-app';

const { values } = parseArgs({
  options: {
    addr: { type: 'string', default: '0.0.0.0:3000' },
    log: { type: 'string', default: '/logs/access.log' },
  },
});
const colon = values.addr.lastIndexOf(':');
const host = values.addr.slice(0, colon);
const port = Number(values.addr.slice(colon + 1));

const log = (msg, extra = {}) =>
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), msg, ...extra })}\n`);

// The file exists from the start (created if missing), so the forwarder opens it at once.
appendFileSync(values.log, '', { mode: 0o644 });

const server = createServer((req, res) => {
  const started = performance.now();
  const path = new URL(req.url ?? '/', 'http://app').pathname;
  if (path === '/livez' || path === '/readyz') {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    return res.end('ok\n');
  }
  const header = req.headers['x-request-id'];
  const id = typeof header === 'string' && header ? header.slice(0, 128) : randomUUID();
  res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': id });
  res.end(`${JSON.stringify({ id, path })}\n`);
  const entry = {
    time: new Date().toISOString(),
    id,
    method: req.method,
    path,
    status: 200,
    ms: Math.round((performance.now() - started) * 1000) / 1000,
    ua: req.headers['user-agent'] ?? null,
  };
  // One write per line, synchronously: lines land whole and in the order the requests were answered.
  appendFileSync(values.log, `${JSON.stringify(entry)}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    log('stopping', { signal });
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}

server.listen(port, host, () => log('listening', { addr: values.addr, log: values.log }));
