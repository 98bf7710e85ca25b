import type { IncomingMessage } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import type { SecureContextOptions, TLSSocket } from 'node:tls';
import type { Logger } from '@toolkit/lifecycle';
import { normalizeAddress } from '../http/trusted-proxies.ts';
import type { ProxyMetrics } from '../metrics.ts';
import {
  type AllowList,
  type ClientIdentity,
  formatClientCertHeader,
  isClientAllowed,
  readClientIdentity,
} from '../tls/client-identity.ts';
import { classifyHandshakeError } from '../tls/handshake-failures.ts';

/** The verified client identity, kept on the TLS socket itself (cheaper for the GC than a WeakMap). */
const identityKey = Symbol('tls-proxy client identity');
type IdentifiedSocket = Socket & { [identityKey]?: string };

export interface ListenerLimits {
  headerTimeoutMs: number;
  idleTimeoutMs: number;
  maxHeaderSize: number;
}

export interface HttpsListenerOptions {
  secureContext: SecureContextOptions;
  /** Ask for and verify client certificates (the CA is in `secureContext`). */
  mutualTls: boolean;
  allowList: AllowList | undefined;
  limits: ListenerLimits;
  metrics: ProxyMetrics;
  log: Logger;
  /** Which requests with an `Upgrade` header go to the 'upgrade' event; the rest are plain requests. */
  shouldUpgrade: (req: IncomingMessage) => boolean;
}

/**
 * The HTTPS server: TLS policy, timeouts and limits, handshake failures counted by reason (debug log
 * only: scanners and probes make plenty), and the mTLS allow-list applied right after the handshake.
 * HTTP/1.1 only (ALPN `http/1.1`). `identityOf` gives the verified client certificate in header form.
 */
export function createHttpsListener(options: HttpsListenerOptions): {
  server: Server;
  identityOf: (socket: Socket) => string | undefined;
} {
  const { limits, metrics, log } = options;
  const server = createServer({
    ...options.secureContext,
    requestCert: options.mutualTls,
    rejectUnauthorized: false,
    ALPNProtocols: ['http/1.1'],
    handshakeTimeout: limits.headerTimeoutMs,
    maxHeaderSize: limits.maxHeaderSize,
    headersTimeout: limits.headerTimeoutMs,
    requestTimeout: Math.max(300_000, limits.headerTimeoutMs),
    keepAliveTimeout: limits.idleTimeoutMs,
    // Node checks header and request timeouts on this period (30s by default): check often enough
    // that a slow client is cut close to --header-timeout.
    connectionsCheckingInterval: Math.min(1000, Math.max(100, limits.headerTimeoutMs / 4)),
    requireHostHeader: true,
    noDelay: true,
    shouldUpgradeCallback: options.shouldUpgrade,
  });

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

  if (options.mutualTls) {
    // Verified here rather than by OpenSSL (rejectUnauthorized stays false) so that every refusal is
    // counted by reason: Node destroys an unverified socket without any event otherwise. First in line,
    // before the HTTP parser is attached: a refused client never gets a request in.
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

  return { server, identityOf: (socket) => (socket as IdentifiedSocket)[identityKey] };
}

/** The verified identity, or why the client is refused (a handshake-failure reason). */
function checkClient(socket: TLSSocket, allowList: AllowList | undefined): ClientIdentity | string {
  const cert = socket.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0) return 'no_client_certificate';
  if (!socket.authorized) return 'bad_client_certificate';
  const identity = readClientIdentity(cert);
  return isClientAllowed(identity, allowList) ? identity : 'client_not_allowed';
}
