import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { Health } from './health.ts';

/**
 * Serves `/livez`, `/readyz` and `/metrics`. Returns false for any other path so a program can mount
 * these on its own server. `?verbose` adds the reason in plain words.
 */
export async function handleAdminRequest(
  req: IncomingMessage,
  res: ServerResponse,
  health: Health,
  registry: Registry,
): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const verbose = url.searchParams.has('verbose');
  switch (url.pathname) {
    case '/livez':
      sendText(res, 200, verbose ? `ok${health.draining ? ' (draining)' : ''}\n` : 'ok\n');
      return true;
    case '/readyz':
      if (health.ready) sendText(res, 200, verbose ? 'ready\n' : 'ok\n');
      else sendText(res, 503, `not ready: ${health.reason}\n`);
      return true;
    case '/metrics': {
      const body = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(body);
      return true;
    }
    default:
      return false;
  }
}

export function sendText(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(`${JSON.stringify(body)}\n`);
}
