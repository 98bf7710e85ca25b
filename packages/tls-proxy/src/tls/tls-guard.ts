import type { Socket } from 'node:net';
import type { Server, TLSSocket } from 'node:tls';
import type { Logger } from '@toolkit/lifecycle';
import { normalizeAddress } from '../http/trusted-proxies.ts';
import type { ProxyMetrics } from '../metrics.ts';
import {
  type AllowList,
  type ClientIdentity,
  formatClientCertHeader,
  isClientAllowed,
  readClientIdentity,
} from './client-identity.ts';
import { classifyHandshakeError } from './handshake-failures.ts';

/** The verified client identity, kept on the TLS socket itself (cheaper for the GC than a WeakMap). */
const identityKey = Symbol('tls-proxy client identity');
type IdentifiedSocket = Socket & { [identityKey]?: string };

export interface TlsGuardOptions {
  /** Ask for and verify client certificates (the CA is in the secure context). */
  mutualTls: boolean;
  allowList: AllowList | undefined;
  /** 0: no limit. */
  maxConnections: number;
  metrics: ProxyMetrics;
  log: Logger;
}

/**
 * What both modes do to a TLS server the same way: handshake failures counted by reason (debug log
 * only: scanners and probes make plenty), the mTLS allow-list applied right after the handshake, and
 * --max-connections. Returns `identityOf`: the verified client certificate in header form (XFCC).
 */
export function guardTlsServer(
  server: Server,
  options: TlsGuardOptions,
): (socket: Socket) => string | undefined {
  const { metrics, log } = options;
  server.on('tlsClientError', (error: Error & { code?: string }, socket: TLSSocket) => {
    const reason = classifyHandshakeError(error);
    metrics.handshakeFailures.inc({ reason });
    log.debug(
      { reason, code: error.code, client: normalizeAddress(socket.remoteAddress), err: error.message },
      'TLS handshake failed',
    );
    // With a listener, closing the socket is ours to do (Node only does it when nobody listens).
    socket.destroy();
  });

  if (options.maxConnections > 0) {
    // Node closes a connection accepted past maxConnections before any TLS, and says so with 'drop'.
    server.maxConnections = options.maxConnections;
    server.on('drop', () => metrics.refusedConnections.inc());
  }

  if (options.mutualTls) {
    // Verified here rather than by OpenSSL (rejectUnauthorized stays false) so that every refusal is
    // counted by reason: Node destroys an unverified socket without any event otherwise. First in line,
    // before the HTTP parser or the upstream connection is attached: a refused client gets nothing in.
    server.prependListener('secureConnection', (socket: TLSSocket) => {
      const refusal = checkClient(socket, options.allowList);
      if (typeof refusal === 'string') {
        metrics.handshakeFailures.inc({ reason: refusal });
        log.info(
          {
            client: normalizeAddress(socket.remoteAddress),
            reason: refusal,
            detail: socket.authorizationError ?? null,
          },
          'client certificate refused',
        );
        socket.destroy();
        return;
      }
      (socket as IdentifiedSocket)[identityKey] = formatClientCertHeader(refusal);
    });
  }
  return (socket) => (socket as IdentifiedSocket)[identityKey];
}

/** The verified identity, or why the client is refused (a handshake-failure reason). */
function checkClient(socket: TLSSocket, allowList: AllowList | undefined): ClientIdentity | string {
  const cert = socket.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0) return 'no_client_certificate';
  if (!socket.authorized) return 'bad_client_certificate';
  const identity = readClientIdentity(cert);
  return isClientAllowed(identity, allowList) ? identity : 'client_not_allowed';
}
