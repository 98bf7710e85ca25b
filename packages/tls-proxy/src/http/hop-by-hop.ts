import type { IncomingHttpHeaders } from 'node:http';

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and must not cross the proxy: the
 * client's `Connection: close` would close our pooled upstream socket, and a header named in
 * `Connection` is the client asking us to drop it. `Expect` goes too: our server already answered the
 * 100-continue. `Transfer-Encoding` stays on requests: it is what makes Node re-frame the body as chunked
 * to the upstream (dropping it is how the DELETE/OPTIONS smuggling works).
 */
const requestHopByHop = ['keep-alive', 'proxy-connection', 'te', 'trailer', 'expect', 'proxy-authorization'];
const responseHopByHop = ['keep-alive', 'proxy-connection', 'transfer-encoding', 'trailer', 'upgrade'];

/** For a plain request; with `upgrade`, keeps `Connection: upgrade` and `Upgrade` for a WebSocket. */
export function stripRequestHopByHop(headers: IncomingHttpHeaders, upgrade = false): void {
  dropNamedInConnection(headers, upgrade);
  for (const name of requestHopByHop) delete headers[name];
  if (upgrade) {
    headers.connection = 'upgrade';
  } else {
    delete headers.connection;
    delete headers.upgrade;
  }
}

export function stripResponseHopByHop(headers: IncomingHttpHeaders): void {
  dropNamedInConnection(headers, false);
  delete headers.connection;
  for (const name of responseHopByHop) delete headers[name];
}

function dropNamedInConnection(headers: IncomingHttpHeaders, keepUpgrade: boolean): void {
  const connection = headers.connection;
  if (!connection) return;
  for (const token of connection.toLowerCase().split(',')) {
    const name = token.trim();
    if (name === '' || name === 'close' || name === 'keep-alive') continue;
    if (keepUpgrade && name === 'upgrade') continue;
    // Never let a client strip what identifies the request (e.g. `Connection: host`).
    if (name === 'host' || name === 'content-length' || name === 'transfer-encoding') continue;
    delete headers[name];
  }
}
