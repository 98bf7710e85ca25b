import type { ServerResponse } from 'node:http';
import type { UpstreamErrorReason } from '../metrics.ts';

/** The upstream went quiet for longer than --upstream-timeout. */
export class UpstreamTimeoutError extends Error {
  override name = 'UpstreamTimeoutError';
  readonly code = 'UPSTREAM_TIMEOUT';
  constructor(ms: number) {
    super(`upstream sent nothing for ${ms}ms`);
  }
}

export interface UpstreamFailure {
  reason: UpstreamErrorReason;
  /** 504 when the upstream was too slow, 502 when it failed. */
  status: 502 | 504;
}

export function classifyUpstreamError(error: Error & { code?: string }): UpstreamFailure {
  switch (error.code) {
    case 'UPSTREAM_TIMEOUT':
      return { reason: 'timeout', status: 504 };
    case 'ECONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return { reason: 'connect_timeout', status: 504 };
    case 'ECONNREFUSED':
      return { reason: 'refused', status: 502 };
    case 'ECONNRESET':
    case 'EPIPE':
    case 'HPE_INVALID_CONSTANT':
      return { reason: 'reset', status: 502 };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { reason: 'unresolved', status: 502 };
    default:
      return { reason: 'other', status: 502 };
  }
}

const idempotentMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A pooled keep-alive socket can be closed by the app just as a request is written to it. A request with
 * no body and an idempotent method is safe to send once more on a fresh socket (nginx does the same).
 */
export function isSafeToRetry(
  error: Error & { code?: string },
  method: string | undefined,
  hasBody: boolean,
  reusedSocket: boolean,
): boolean {
  return error.code === 'ECONNRESET' && reusedSocket && !hasBody && idempotentMethods.has(method ?? '');
}

/** Answers an upgrade the upstream failed before it started; http-proxy-3 closes the socket after. */
export function sendUpgradeFailure(
  socket: { writable: boolean; write(text: string): unknown },
  status: 502 | 504,
): void {
  if (!socket.writable) return;
  const reason = status === 504 ? 'Gateway Timeout' : 'Bad Gateway';
  socket.write(`HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
}

export function sendUpstreamFailure(res: ServerResponse, status: 502 | 504): void {
  const body = status === 504 ? 'upstream timed out\n' : 'upstream unavailable\n';
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
