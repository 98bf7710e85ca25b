import { type OutgoingTls, splitUrlCredentials } from '@toolkit/lifecycle';

/** Where a sink sends its requests: the URL without credentials, and the headers every request carries. */
export interface HttpTarget {
  url: URL;
  /** The URL as it may appear in logs: no user, password or query (lifecycle's splitUrlCredentials). */
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
  const protocol = URL.canParse(raw) ? new URL(raw).protocol : undefined;
  if (protocol !== 'http:' && protocol !== 'https:') return undefined;
  const split = splitUrlCredentials(raw);
  const all = { ...headers };
  if (split.authorization) all.authorization = split.authorization;
  if (authorization) all.authorization = authorization;
  return { url: new URL(split.href), label: split.label, headers: all };
}

/** The URL of an API path under a base URL, keeping a path prefix (`http://es/proxy` + `_bulk`). */
export function joinUrl(base: URL, path: string, query = ''): URL {
  const url = new URL(base.href);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  url.search = query;
  return url;
}
