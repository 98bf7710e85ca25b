import type { Dispatcher } from 'undici';
import type { StatusMatcher } from './status-matcher.ts';

export interface NotificationRequest {
  url: string;
  method: string;
  /** The caller's own headers; `content-type: application/json` is added when a body is sent. */
  headers: Record<string, string>;
  /** Sent as JSON unless the method is GET. */
  body: unknown;
  accept: StatusMatcher;
  timeoutMs: number;
  signal: AbortSignal;
  /** Trust and client certificate for https URLs: `context.outgoingTls.dispatcher`. */
  dispatcher?: Dispatcher | undefined;
}

/**
 * One HTTP notification: the request, bounded by `timeoutMs` and `signal`, its response body
 * discarded; throws unless `accept` takes the status. Returns the status.
 */
export async function sendNotification(request: NotificationRequest): Promise<number> {
  const { url, method, accept, timeoutMs, signal } = request;
  const hasBody = method !== 'GET';
  const headers = { ...request.headers };
  if (hasBody) headers['content-type'] = 'application/json';
  const response = await fetch(url, {
    method,
    headers,
    ...(hasBody ? { body: JSON.stringify(request.body) } : {}),
    signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
    ...(request.dispatcher ? { dispatcher: request.dispatcher } : {}),
  });
  await response.body?.cancel();
  if (!accept(response.status)) throw new Error(`unexpected status ${response.status}`);
  return response.status;
}
