import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Logger, sendJson, sendText } from '@toolkit/lifecycle';
import type { AccessControl } from './access/access-control.ts';
import { ThreadReader } from './proc/threads.ts';
import { renderTable, type SortKey, sortKeys } from './render-text.ts';
import type { HistoryPoint } from './sampling-loop.ts';
import {
  BodyTooLargeError,
  isAuthorized,
  maxSignalBodyBytes,
  parseSignalName,
  readRequestedSignal,
  sendSignal,
} from './signal.ts';
import type { Snapshot } from './snapshot.ts';
import { readUptimeSeconds } from './system.ts';
import { renderPage } from './web/page.ts';

export interface Routes {
  snapshots: { readonly latest: Snapshot | undefined; readonly history: readonly HistoryPoint[] };
  /** Serves /livez, /readyz and /metrics (the lifecycle's admin routes). */
  handleAdmin(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** The bearer token of the signal endpoint; undefined while signals are off. */
  signalToken: string | undefined;
  procRoot: string;
  log: Logger;
  /** Who may read everything but /livez and /readyz (the signal endpoint has its own token). */
  access?: AccessControl | undefined;
}

/** topz's routes on --addr: `/`, `/topz`, `/api/processes`, the signal endpoint, and the admin routes. */
export function createRequestHandler(routes: Routes): (req: IncomingMessage, res: ServerResponse) => void {
  const page = renderPage();
  const threads = new ThreadReader(routes.procRoot);
  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const signalPath = /^\/api\/processes\/(\d{1,10})\/signal$/.exec(url.pathname);
    if (signalPath) return serveSignal(req, res, url, Number(signalPath[1]), routes);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return sendText(res, 405, 'method not allowed\n');
    }
    const probe = url.pathname === '/livez' || url.pathname === '/readyz';
    if (!probe && routes.access && !(await routes.access.allows(req.headers.authorization))) {
      res.setHeader('www-authenticate', routes.access.challenge);
      return sendText(
        res,
        401,
        'unauthorized: topz needs credentials (--access-token or --basic-auth-users-file)\n',
      );
    }
    if (await routes.handleAdmin(req, res)) return;
    if (url.pathname === '/') {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        // The page may run only its own script and talk only to topz.
        'content-security-policy': page.policy,
        'x-content-type-options': 'nosniff',
      });
      return void res.end(page.html);
    }
    const threadsPath = /^\/api\/processes\/(\d{1,10})\/threads$/.exec(url.pathname);
    if (url.pathname !== '/topz' && url.pathname !== '/api/processes' && !threadsPath)
      return sendText(res, 404, 'not found\n');
    const snapshot = routes.snapshots.latest;
    if (!snapshot) return sendText(res, 503, 'no snapshot yet: the first comes one --interval after start\n');
    if (threadsPath) {
      const pid = Number(threadsPath[1]);
      const target = snapshot.processes.find((process) => process.pid === pid);
      if (!target) return sendJson(res, 404, { error: `no process ${pid} in the latest snapshot` });
      const view = threads.read(pid, target.startTicks, readUptimeSeconds(routes.procRoot));
      // Exited since the snapshot: a race the page meets each time a process ends, not an error.
      if (view === 'vanished') return sendJson(res, 200, { pid, exited: true, threads: [] });
      return sendJson(res, 200, view);
    }
    if (url.pathname === '/api/processes') {
      return sendJson(res, 200, {
        ...snapshot,
        history: routes.snapshots.history,
        signalsEnabled: routes.signalToken !== undefined,
      });
    }
    const sort = url.searchParams.get('sort') ?? 'cpu';
    if (!(sortKeys as readonly string[]).includes(sort)) {
      return sendText(res, 400, `sort: expected one of ${sortKeys.join(', ')}\n`);
    }
    const flag = (name: string) => ['1', 'true', 'yes', ''].includes(url.searchParams.get(name) ?? 'no');
    const table = renderTable(snapshot.processes, {
      header: url.searchParams.get('header') !== '0' && url.searchParams.get('header') !== 'false',
      wide: flag('wide'),
      sort: sort as SortKey,
    });
    sendText(res, 200, table);
  };
  return (req, res) => {
    serve(req, res).catch((error: unknown) => {
      routes.log.error({ err: error, url: req.url }, 'request failed');
      if (!res.headersSent) sendText(res, 500, 'internal error\n');
      else res.destroy();
    });
  };
}

async function serveSignal(req: IncomingMessage, res: ServerResponse, url: URL, pid: number, routes: Routes) {
  // Any answer before the body is read closes the connection, so Node does not read (and drop) the
  // rest of a body nobody asked for to keep the connection alive.
  res.setHeader('connection', 'close');
  if (req.method !== 'POST') {
    res.setHeader('allow', 'POST');
    return sendJson(res, 405, { error: 'use POST' });
  }
  if (routes.signalToken === undefined) {
    return sendJson(res, 403, {
      error: 'signals are off: start topz with --allow-signals and --signal-token',
    });
  }
  if (!isAuthorized(req.headers.authorization, routes.signalToken)) {
    res.setHeader('www-authenticate', 'Bearer realm="topz"');
    return sendJson(res, 401, { error: 'missing or wrong bearer token' });
  }
  let requested: string | undefined;
  try {
    requested = await readRequestedSignal(req, url);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    return sendJson(res, 413, { error: `request body too large: at most ${maxSignalBodyBytes} bytes` });
  }
  const signal = requested === undefined ? undefined : parseSignalName(requested);
  if (!signal) {
    return sendJson(res, 400, { error: 'name a signal: TERM, INT, HUP, KILL, USR1, USR2 or QUIT' });
  }
  const target = routes.snapshots.latest?.processes.find((process) => process.pid === pid);
  if (!target) return sendJson(res, 404, { error: `no process ${pid} in the latest snapshot` });
  const outcome = sendSignal(routes.procRoot, target, signal);
  const audit = { pid, comm: target.comm, signal, status: outcome.status, remote: req.socket.remoteAddress };
  routes.log.warn(audit, outcome.status === 200 ? 'signal sent' : 'signal refused');
  if (outcome.status !== 200) return sendJson(res, outcome.status, { error: outcome.error });
  sendJson(res, 200, { pid, comm: target.comm, signal });
}
