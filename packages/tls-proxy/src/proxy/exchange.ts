import type { ClientRequest, IncomingMessage } from 'node:http';
import { isSafeToRetry } from './upstream-errors.ts';

/** What one request needs across http-proxy-3's events. */
export interface Exchange {
  upstream: ClientRequest | undefined;
  /** As the client sent it: http-proxy-3's deleteLength pass removes it from DELETE and OPTIONS. */
  transferEncoding: string | undefined;
  retried: boolean;
  /** The proxy answered on its own (e.g. 413): the upstream request is dropped, its error ignored. */
  cancelled: boolean;
  /** Of a WebSocket upgrade: 101, the upstream's refusal, or 502/504. */
  status: number | undefined;
}

// A symbol-keyed property rather than a WeakMap: a WeakMap keyed by short-lived requests gives the
// garbage collector ephemeron work on every young-generation collection, on the hot path.
const exchangeKey = Symbol('tls-proxy exchange');
type WithExchange = IncomingMessage & { [exchangeKey]?: Exchange };

export function exchangeOf(req: IncomingMessage): Exchange | undefined {
  return (req as WithExchange)[exchangeKey];
}

export function startExchange(req: IncomingMessage, transferEncoding: string | undefined): Exchange {
  const exchange: Exchange = {
    upstream: undefined,
    transferEncoding,
    retried: false,
    cancelled: false,
    status: undefined,
  };
  (req as WithExchange)[exchangeKey] = exchange;
  return exchange;
}

/** Once per request: a reset on a reused pooled connection, before any answer, with nothing to resend. */
export function shouldRetry(error: Error, req: IncomingMessage, exchange: Exchange): boolean {
  if (exchange.retried) return false;
  const hasBody = exchange.transferEncoding !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  return isSafeToRetry(error, req.method, hasBody, exchange.upstream?.reusedSocket === true);
}
