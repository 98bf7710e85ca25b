import type { OutgoingTls } from '@toolkit/lifecycle';

/** Where a sink sends its requests: the URL without credentials, and the headers every request carries. */
export interface HttpTarget {
  url: URL;
  /** The URL as it may appear in logs: no user or password. */
  label: string;
  headers: Record<string, string>;
  /** Trust and client certificate for an https URL (lifecycle's outgoing TLS options). */
  tls?: OutgoingTls;
}

/**
 * Parses a sink URL. Credentials in it (`https://user:pass@host`) become a Basic Authorization header
 * and leave the URL, so they never show in a log line; an explicit authorization value wins.
 */
export function parseHttpTarget(
  raw: string,
  headers: Record<string, string> = {},
  authorization?: string,
): HttpTarget | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  const all = { ...headers };
  if (url.username || url.password) {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    all.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  if (authorization) all.authorization = authorization;
  return { url, label: url.href, headers: all };
}

/** The URL of an API path under a base URL, keeping a path prefix (`http://es/proxy` + `_bulk`). */
export function joinUrl(base: URL, path: string, query = ''): URL {
  const url = new URL(base.href);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  url.search = query;
  return url;
}
