// The log-forwarder demo's sink: what a log collector is to log-forwarder's HTTP sink, in memory.
//   POST /ingest        NDJSON (one record per line) or a JSON array of records; each record is kept
//   GET /lines          the records received, in order, as NDJSON
//   GET /stats          JSON: records, requests
//   DELETE /lines       forget them
//   GET /livez, /readyz
// Plain Node, no dependencies: `node log-demo-sink.mjs --addr 0.0.0.0:8080`.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

process.title = 'log-demo-sink';

const { values } = parseArgs({
  options: {
    addr: { type: 'string', default: '0.0.0.0:8080' },
    // Bounded: the oldest records go first past this many.
    'max-records': { type: 'string', default: '100000' },
  },
});
const colon = values.addr.lastIndexOf(':');
const host = values.addr.slice(0, colon);
const port = Number(values.addr.slice(colon + 1));
const maxRecords = Number(values['max-records']);
const maxBody = 16 << 20;

const log = (msg, extra = {}) =>
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), msg, ...extra })}\n`);

const records = [];
let requests = 0;

function send(res, status, body, type = 'text/plain; charset=utf-8') {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

/** The records of a body: a JSON array, or NDJSON (blank lines skipped). */
function parseBody(text) {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) return JSON.parse(trimmed).map((record) => JSON.stringify(record));
  return trimmed
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.stringify(JSON.parse(line)));
}

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://sink').pathname;
  if (req.method === 'POST' && path === '/ingest') {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size <= maxBody) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > maxBody) return send(res, 413, 'body too large\n');
      let received;
      try {
        received = parseBody(Buffer.concat(chunks).toString('utf8'));
      } catch (error) {
        return send(res, 400, `not NDJSON or a JSON array: ${error.message}\n`);
      }
      requests++;
      records.push(...received);
      if (records.length > maxRecords) records.splice(0, records.length - maxRecords);
      log('received', { records: received.length, total: records.length });
      send(res, 200, `${JSON.stringify({ accepted: received.length })}\n`, 'application/json');
    });
    return;
  }
  if (req.method === 'DELETE' && path === '/lines') {
    records.length = 0;
    return send(res, 204, '');
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n');
  switch (path) {
    case '/livez':
    case '/readyz':
      return send(res, 200, 'ok\n');
    case '/lines':
      return send(res, 200, records.map((record) => `${record}\n`).join(''), 'application/x-ndjson');
    case '/stats':
      return send(res, 200, `${JSON.stringify({ records: records.length, requests })}\n`, 'application/json');
    default:
      return send(res, 404, 'not found\n');
  }
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    log('stopping', { signal });
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}

server.listen(port, host, () => log('listening', { addr: values.addr }));
