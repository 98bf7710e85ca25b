import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readRequestBody, sendJson, sendText } from '@toolkit/lifecycle';
import type { AccessLog } from './access-log.ts';
import type { AppConfig } from './app-config.ts';
import type { Content } from './content.ts';
import type { LogInbox } from './log-inbox.ts';

export interface DemoParts {
  config?: AppConfig;
  content?: Content;
  accessLog?: AccessLog;
  inbox: LogInbox;
  workers: number;
  /** Answers the lifecycle's /livez, /readyz and /metrics; false for any other path. */
  handleAdmin(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  onReload(reason: 'http', revision: string | null): void;
}

const maxBodyBytes = 16 << 20;

/** Not in the access log: probes and the app's own /-/ routes would drown the requests worth shipping. */
function isQuiet(path: string): boolean {
  return path === '/livez' || path === '/readyz' || path === '/metrics' || path.startsWith('/-/');
}

/**
 * The demo app's routes:
 *   GET /              a page saying what the app has: its config's message, the commit it serves
 *   GET /content/PATH  a file of the checkout (repo-updater's link)
 *   GET /-/status      JSON: config (loads, reloads, revision), content commit, access-log lines, inbox
 *   GET /-/config      the config as loaded
 *   POST /-/reload     re-read the config (config-syncer's --notify-url); `{"revision"}` is recorded
 *   POST /-/logs       take log records (log-forwarder's --http-url, NDJSON or a JSON array)
 *   GET /-/logs        the newest records taken, NDJSON (?limit=N)
 */
export function createDemoHandler(parts: DemoParts) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://app');
    const path = url.pathname;
    const header = req.headers['x-request-id'];
    const id = typeof header === 'string' && header !== '' ? header.slice(0, 128) : randomUUID();
    res.setHeader('x-request-id', id);
    try {
      await route(parts, req, res, url);
    } catch (error) {
      if (!res.headersSent) sendText(res, 500, `${(error as Error).message}\n`);
      else res.destroy();
    }
    if (parts.accessLog && !isQuiet(path)) {
      parts.accessLog.write({
        time: new Date().toISOString(),
        id,
        method: req.method ?? 'GET',
        path,
        status: res.statusCode,
        ms: Math.round((performance.now() - started) * 1000) / 1000,
        ua: req.headers['user-agent'] ?? null,
      });
    }
  };
}

async function route(parts: DemoParts, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  if (await parts.handleAdmin(req, res)) return;
  const path = url.pathname;
  const method = req.method ?? 'GET';
  if (path === '/-/reload' || path === '/-/logs') {
    if (method === 'POST') return path === '/-/reload' ? reload(parts, req, res) : ingest(parts, req, res);
    if (path === '/-/reload') return notAllowed(res, 'POST');
  }
  if (method !== 'GET' && method !== 'HEAD') return notAllowed(res, 'GET, HEAD');
  if (path === '/') return sendText(res, 200, await frontPage(parts));
  if (path === '/-/status') return sendJson(res, 200, await status(parts));
  if (path === '/-/config') return sendJson(res, 200, parts.config?.values ?? {});
  if (path === '/-/logs') {
    const limit = Number(url.searchParams.get('limit') ?? '1000');
    const records = parts.inbox.latest(Number.isInteger(limit) && limit > 0 ? limit : 1000);
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
    res.end(records.map((record) => `${JSON.stringify(record)}\n`).join(''));
    return;
  }
  if (path.startsWith('/content/') && parts.content) {
    let filePath: string;
    try {
      filePath = decodeURIComponent(path.slice('/content'.length));
    } catch {
      return sendText(res, 400, 'bad path\n');
    }
    const found = await parts.content.read(filePath);
    if (found.status !== 200) return sendText(res, found.status, `${found.message}\n`);
    res.writeHead(200, { 'content-type': found.type, 'cache-control': 'no-store' });
    res.end(found.body);
    return;
  }
  sendText(res, 404, 'not found\n');
}

function notAllowed(res: ServerResponse, allow: string): void {
  res.setHeader('allow', allow);
  sendText(res, 405, 'method not allowed\n');
}

async function reload(parts: DemoParts, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!parts.config) return sendText(res, 404, 'no --config file to reload\n');
  const read = await readRequestBody(req, res, maxBodyBytes);
  if (!read.ok) return sendText(res, read.status, `${read.message}\n`);
  const body = read.body.toString('utf8');
  let revision =
    typeof req.headers['x-config-revision'] === 'string' ? req.headers['x-config-revision'] : null;
  try {
    const sent: unknown = JSON.parse(body);
    if (sent && typeof sent === 'object' && 'revision' in sent && typeof sent.revision === 'string') {
      revision = sent.revision;
    }
  } catch {
    // A reload request needs no body.
  }
  parts.onReload('http', revision);
  const current = parts.config.status;
  sendJson(res, current.error === null ? 200 : 500, current);
}

async function ingest(parts: DemoParts, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const read = await readRequestBody(req, res, maxBodyBytes);
  if (!read.ok) return sendText(res, read.status, `a batch is at most ${maxBodyBytes} bytes\n`);
  try {
    sendJson(res, 200, { accepted: parts.inbox.ingest(read.body.toString('utf8')) });
  } catch (error) {
    sendText(res, 400, `not NDJSON or a JSON array: ${(error as Error).message}\n`);
  }
}

async function status(parts: DemoParts) {
  return {
    pid: process.pid,
    workers: parts.workers,
    config: parts.config?.status ?? null,
    content: parts.content ? { dir: parts.content.dir, revision: await parts.content.revision() } : null,
    accessLog: parts.accessLog ? { file: parts.accessLog.file, lines: parts.accessLog.lines } : null,
    inbox: { received: parts.inbox.received, requests: parts.inbox.requests },
  };
}

async function frontPage(parts: DemoParts): Promise<string> {
  const lines = [`hello from the demo app (pid ${process.pid}, ${parts.workers} workers)`];
  if (parts.config) {
    const current = parts.config.status;
    lines.push(
      current.loaded
        ? `config: ${JSON.stringify(current.message)} (loaded ${current.reloads + 1}× from ${current.file})`
        : `config: not loaded from ${current.file} (${current.error})`,
    );
  }
  if (parts.content) {
    const revision = await parts.content.revision();
    lines.push(
      revision ? `content: commit ${revision}, at /content/` : `content: nothing at ${parts.content.dir} yet`,
    );
  }
  if (parts.accessLog) lines.push(`access log: ${parts.accessLog.lines} lines in ${parts.accessLog.file}`);
  lines.push(`log records received at /-/logs: ${parts.inbox.received}`);
  return `${lines.join('\n')}\n`;
}
