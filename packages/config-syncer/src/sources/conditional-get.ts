import type { Dispatcher, UrlWithoutCredentials } from '@toolkit/lifecycle';

/** What the server said identifies the version we hold. */
export interface CacheValidators {
  etag?: string;
  lastModified?: string;
}

export type FetchResult =
  | { status: 'not-modified' }
  | { status: 'modified'; body: Buffer; validators: CacheValidators };

export interface FetchOptions {
  timeoutMs: number;
  /** Sent as `Authorization: Bearer`, unless the URL carries user:password. */
  token?: string | undefined;
  maxBytes: number;
  signal: AbortSignal;
  /** Trust and client certificate for https URLs (lifecycle's outgoing TLS options). */
  dispatcher?: Dispatcher | undefined;
}

export class HttpStatusError extends Error {
  readonly status: number;
  constructor(status: number, label: string) {
    super(`${label}: HTTP ${status}`);
    this.status = status;
  }
}

/**
 * GET with `If-None-Match` / `If-Modified-Since` from the last answer, so an unchanged source costs
 * the server a 304 and no body.
 */
export async function fetchIfChanged(
  url: UrlWithoutCredentials,
  held: CacheValidators | undefined,
  options: FetchOptions,
): Promise<FetchResult> {
  const headers: Record<string, string> = { accept: '*/*' };
  if (held?.etag) headers['if-none-match'] = held.etag;
  if (held?.lastModified) headers['if-modified-since'] = held.lastModified;
  const authorization = url.authorization ?? (options.token ? `Bearer ${options.token}` : undefined);
  if (authorization) headers.authorization = authorization;

  const response = await fetch(url.href, {
    headers,
    signal: AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]),
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
  });
  if (response.status === 304) {
    await response.body?.cancel();
    return { status: 'not-modified' };
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new HttpStatusError(response.status, url.label);
  }
  const body = await readCapped(response, options.maxBytes, url.label);
  const etag = response.headers.get('etag');
  const lastModified = response.headers.get('last-modified');
  return {
    status: 'modified',
    body,
    validators: { ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) },
  };
}

/** Reads the body, refusing one past `maxBytes`: a config server gone wrong must not fill memory. */
async function readCapped(response: Response, maxBytes: number, label: string): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (!response.body) return Buffer.alloc(0);
  for await (const chunk of response.body) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      await response.body.cancel().catch(() => {});
      throw new Error(`${label}: response larger than ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
