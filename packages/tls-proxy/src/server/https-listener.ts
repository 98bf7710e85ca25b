import type { IncomingMessage } from 'node:http';
import { createSecureServer, type Http2SecureServer, type ServerHttp2Session } from 'node:http2';
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
  /** Offer h2 by ALPN (then http/1.1); otherwise http/1.1 only. */
  http2: boolean;
  /** Which requests with an `Upgrade` header go to the 'upgrade' event; the rest are plain requests. */
  shouldUpgrade: (req: IncomingMessage) => boolean;
}

/**
 * Either server: Node's https one, or its http2 one with `allowHTTP1` (h2 sessions, and HTTP/1.1
 * connections handled by the same code as the https server's).
 */
export type HttpsServer = Server | (Http2SecureServer & { closeIdleConnections(): void });

/**
 * The HTTPS server: TLS policy, timeouts and limits, with the TLS guard of both modes (handshake
 * failures, mTLS allow-list, --max-connections). ALPN `h2` then `http/1.1` with --http2 (the default),
 * `http/1.1` alone without. `identityOf` gives the verified client certificate in header form.
 */
export function createHttpsListener(options: HttpsListenerOptions): {
  server: HttpsServer;
  identityOf: (socket: Socket) => string | undefined;
} {
  const server = options.http2 ? createHttp2Server(options) : createHttp1Server(options);
  return { server, identityOf: guardTlsServer(server, options) };
}

/** The settings of Node's HTTP/1.1 server code, which the http2 server's HTTP/1.1 side reads too. */
function http1Settings(options: HttpsListenerOptions) {
  const { limits } = options;
  return {
    maxHeaderSize: limits.maxHeaderSize,
    headersTimeout: limits.headerTimeoutMs,
    requestTimeout: Math.max(300_000, limits.headerTimeoutMs),
    keepAliveTimeout: limits.idleTimeoutMs,
    // Node checks header and request timeouts on this period (30s by default): check often enough
    // that a slow client is cut close to --header-timeout.
    connectionsCheckingInterval: Math.min(1000, Math.max(100, limits.headerTimeoutMs / 4)),
    requireHostHeader: true,
  };
}

function createHttp1Server(options: HttpsListenerOptions): Server {
  return createServer({
    ...options.secureContext,
    requestCert: options.mutualTls,
    rejectUnauthorized: false,
    ALPNProtocols: ['http/1.1'],
    handshakeTimeout: options.limits.headerTimeoutMs,
    ...http1Settings(options),
    noDelay: true,
    shouldUpgradeCallback: options.shouldUpgrade,
  });
}

function createHttp2Server(options: HttpsListenerOptions): HttpsServer {
  const { limits } = options;
  const server = createSecureServer({
    ...options.secureContext,
    requestCert: options.mutualTls,
    rejectUnauthorized: false,
    allowHTTP1: true,
    ALPNProtocols: ['h2', 'http/1.1'],
    handshakeTimeout: limits.headerTimeoutMs,
    noDelay: true,
    settings: { maxHeaderListSize: limits.maxHeaderSize },
  });
  // Its HTTP/1.1 side is Node's http server code run with this server as `this`: it takes its limits
  // from these properties, not from the constructor's options.
  Object.assign(server, http1Settings(options), { shouldUpgradeCallback: options.shouldUpgrade });
  server.on('session', (session: ServerHttp2Session) => closeWhenIdle(session, limits.idleTimeoutMs));
  return server as HttpsServer;
}

/**
 * --idle-timeout for an h2 session: closed (GOAWAY) once it has had no open stream and no frame for
 * that long. Node's own session timeout would also cut a stream waiting on a slow upstream.
 */
function closeWhenIdle(session: ServerHttp2Session, idleTimeoutMs: number): void {
  let open = 0;
  session.on('stream', (stream) => {
    open += 1;
    stream.once('close', () => {
      open -= 1;
    });
  });
  session.setTimeout(idleTimeoutMs, () => {
    if (open === 0) session.close();
  });
}
