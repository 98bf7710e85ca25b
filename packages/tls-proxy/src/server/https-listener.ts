import type { IncomingMessage } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import { guardTlsServer, type TlsGuardOptions } from '../tls/tls-guard.ts';

export interface ListenerLimits {
  headerTimeoutMs: number;
  idleTimeoutMs: number;
  maxHeaderSize: number;
}

export interface HttpsListenerOptions extends TlsGuardOptions {
  secureContext: SecureContextOptions;
  limits: ListenerLimits;
  /** Which requests with an `Upgrade` header go to the 'upgrade' event; the rest are plain requests. */
  shouldUpgrade: (req: IncomingMessage) => boolean;
}

/**
 * The HTTPS server: TLS policy, timeouts and limits, with the TLS guard of both modes (handshake
 * failures, mTLS allow-list, --max-connections). HTTP/1.1 only (ALPN `http/1.1`). `identityOf` gives
 * the verified client certificate in header form.
 */
export function createHttpsListener(options: HttpsListenerOptions): {
  server: Server;
  identityOf: (socket: Socket) => string | undefined;
} {
  const { limits } = options;
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
  return { server, identityOf: guardTlsServer(server, options) };
}
