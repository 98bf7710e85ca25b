import type { IncomingHttpHeaders } from 'node:http';

/** Headers that say who the client is: set by the proxy, never taken from an untrusted client. */
export const forwardingHeaders = [
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-forwarded-port',
  'forwarded',
  'x-real-ip',
] as const;

export interface ForwardingFacts {
  /** The peer address, already normalised (no `::ffff:` prefix). */
  client: string;
  /** The port the client connected to. */
  port: number;
  proto: 'https' | 'http';
  /** The peer is a trusted proxy: its X-Forwarded-* describe the real client and are kept. */
  trusted: boolean;
}

/**
 * Sets X-Forwarded-For/-Proto/-Host/-Port, X-Real-IP and Forwarded (RFC 7239). From an untrusted peer
 * every client-sent value is dropped first (`xfwd` in http-proxy appends to them, so anyone could claim
 * any address); from a trusted proxy the chain is appended to and its proto/host/port are kept.
 */
export function setForwardedHeaders(headers: IncomingHttpHeaders, facts: ForwardingFacts): void {
  const host = headers.host ?? '';
  if (!facts.trusted) {
    for (const name of forwardingHeaders) delete headers[name];
  }
  const prior = headers['x-forwarded-for'];
  headers['x-forwarded-for'] = prior ? `${prior}, ${facts.client}` : facts.client;
  headers['x-forwarded-proto'] ??= facts.proto;
  if (host) headers['x-forwarded-host'] ??= host;
  headers['x-forwarded-port'] ??= String(facts.port);
  headers['x-real-ip'] ??= facts.client;
  const element = `for=${forwardedNode(facts.client)};proto=${facts.proto}${host ? `;host=${quote(host)}` : ''}`;
  const priorForwarded = headers.forwarded;
  headers.forwarded = priorForwarded ? `${priorForwarded}, ${element}` : element;
}

/** RFC 7239 §6: an IPv6 node is bracketed and quoted. */
function forwardedNode(address: string): string {
  return address.includes(':') ? `"[${address}]"` : address;
}

function quote(value: string): string {
  return /^[A-Za-z0-9.-]+$/.test(value) ? value : `"${value.replace(/(["\\])/g, '\\$1')}"`;
}
