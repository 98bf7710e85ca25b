import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ListenerLimits } from './https-listener.ts';

/** A Host header we are willing to put in a Location: a DNS name or an IP literal, with an optional port. */
const hostPattern = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** `https://host[:port]/path?query`, or undefined when the request gives nothing safe to redirect to. */
export function redirectLocation(req: IncomingMessage, httpsPort: number): string | undefined {
  const host = req.headers.host;
  const path = req.url ?? '';
  if (!host || !hostPattern.test(host) || !path.startsWith('/') || path.startsWith('//')) return undefined;
  const hostname = host.replace(/:\d+$/, '');
  return `https://${hostname}${httpsPort === 443 ? '' : `:${httpsPort}`}${path}`;
}

/**
 * The optional plain-HTTP listener: every request is redirected to HTTPS and nothing is proxied. 301
 * for GET and HEAD (what browsers cache), 308 for the rest so the method and body are kept.
 */
export function createRedirectListener(httpsPort: number, limits: ListenerLimits): Server {
  return createServer(
    {
      maxHeaderSize: limits.maxHeaderSize,
      headersTimeout: limits.headerTimeoutMs,
      requestTimeout: Math.max(30_000, limits.headerTimeoutMs),
      keepAliveTimeout: limits.idleTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, Math.max(100, limits.headerTimeoutMs / 4)),
    },
    (req: IncomingMessage, res: ServerResponse) => {
      const location = redirectLocation(req, httpsPort);
      if (!location) {
        res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('bad request\n');
        return;
      }
      const status = req.method === 'GET' || req.method === 'HEAD' ? 301 : 308;
      // The body of a POST is not read: close rather than parse it as the next request.
      res.writeHead(status, {
        location,
        'content-length': 0,
        ...(status === 308 ? { connection: 'close' } : {}),
      });
      res.end();
    },
  );
}
