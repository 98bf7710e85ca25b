import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { Health } from './health.ts';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

/** The endpoints lifecycle serves itself: read-only, so GET and HEAD only. */
const builtInPaths = ['/livez', '/readyz', '/metrics'];
const readMethods = ['GET', 'HEAD'];

/**
 * The admin endpoints: `/livez`, `/readyz` and `/metrics`, plus the routes a program adds (for example
 * `POST /sync`). A program with its own server mounts them with `handle`, which answers false for any
 * other path.
 */
export class AdminRoutes {
  readonly #health: Health;
  readonly #registry: Registry;
  readonly #routes = new Map<string, Map<string, RouteHandler>>();

  constructor(health: Health, registry: Registry) {
    this.#health = health;
    this.#registry = registry;
  }

  /** Adds a route; a request to the path with another method gets 405. */
  add(method: string, path: string, handler: RouteHandler): void {
    if (builtInPaths.includes(path)) throw new Error(`${path} is served by lifecycle`);
    const byMethod = this.#routes.get(path) ?? new Map<string, RouteHandler>();
    byMethod.set(method.toUpperCase(), handler);
    this.#routes.set(path, byMethod);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const verbose = url.searchParams.has('verbose');
    const health = this.#health;
    // One rule for every program: a probe or a scraper reads; anything else (POST, TRACE, PROPFIND, ...)
    // gets 405 rather than a 200 that hides a misconfigured client.
    if (builtInPaths.includes(url.pathname) && !readMethods.includes(req.method ?? 'GET')) {
      refuseMethod(res, req.method, readMethods);
      return true;
    }
    switch (url.pathname) {
      case '/livez':
        sendText(res, 200, verbose ? `ok${health.draining ? ' (draining)' : ''}\n` : 'ok\n');
        return true;
      case '/readyz':
        if (health.ready) sendText(res, 200, verbose ? 'ready\n' : 'ok\n');
        else sendText(res, 503, `not ready: ${health.reason}\n`);
        return true;
      case '/metrics': {
        const body = await this.#registry.metrics();
        res.writeHead(200, { 'content-type': this.#registry.contentType });
        res.end(body);
        return true;
      }
    }
    const byMethod = this.#routes.get(url.pathname);
    if (!byMethod) return false;
    const handler = byMethod.get(req.method ?? 'GET');
    if (!handler) {
      refuseMethod(res, req.method, [...byMethod.keys()]);
      return true;
    }
    await handler(req, res);
    return true;
  }
}

function refuseMethod(res: ServerResponse, method: string | undefined, allowed: readonly string[]): void {
  res.setHeader('allow', allowed.join(', '));
  sendText(res, 405, `method ${method} not allowed\n`);
}

export function sendText(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(`${JSON.stringify(body)}\n`);
}
