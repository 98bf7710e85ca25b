import { connect, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { ConnectionOutcome } from '../metrics.ts';
import type { TcpTarget } from '../settings.ts';

export interface RelayOptions {
  target: TcpTarget;
  connectTimeoutMs: number;
  /** No byte either way for this long: both sides closed. */
  idleTimeoutMs: number;
  /** Written to the upstream before any byte of the client's (PROXY protocol). */
  header: Buffer | undefined;
}

/** What a relay reports once both of its sockets are closed. */
export interface RelayResult {
  end: ConnectionOutcome;
  /** Client to app, the PROXY header not counted. */
  received: number;
  /** App to client. */
  sent: number;
  ms: number;
}

/** One client connection passed on: `cut` ends it now (the drain's last step). */
export interface Relay {
  cut(): void;
  /** Closes both sides when no byte moved either way for the idle timeout (`now`: performance.now()). */
  checkIdle(now: number): void;
}

/**
 * Passes the bytes of one TLS connection to one new upstream connection and back, with back-pressure,
 * half-close kept (a side that ends its writing gets a FIN passed on while the other may still
 * answer), a connect timeout and an idle timeout (see `checkIdle`). The first way it ends is its outcome; `done` is
 * called once both sockets are closed.
 */
export function relayConnection(
  client: TLSSocket,
  options: RelayOptions,
  done: (result: RelayResult) => void,
): Relay {
  const started = performance.now();
  const upstream: Socket = connect({ ...options.target, allowHalfOpen: true, noDelay: true });
  if (options.header) upstream.write(options.header);
  let outcome: ConnectionOutcome | undefined;
  const endWith = (end: ConnectionOutcome) => {
    outcome ??= end;
  };
  const connectTimer = setTimeout(() => {
    endWith('upstream_connect_timeout');
    upstream.destroy();
    client.destroy();
  }, options.connectTimeoutMs);
  let connected = false;
  upstream.once('connect', () => {
    connected = true;
    clearTimeout(connectTimer);
  });

  // By hand rather than pipe(): the same back-pressure and FIN passing, fewer listeners and calls per chunk.
  client.on('data', (chunk: Buffer) => {
    if (!upstream.write(chunk)) client.pause();
  });
  upstream.on('drain', () => client.resume());
  upstream.on('data', (chunk: Buffer) => {
    if (!client.write(chunk)) upstream.pause();
  });
  client.on('drain', () => upstream.resume());
  client.once('end', () => {
    endWith('client_closed');
    upstream.end();
  });
  upstream.once('end', () => {
    endWith('upstream_closed');
    client.end();
  });
  client.on('error', () => {
    endWith('client_reset');
    upstream.destroy();
  });
  upstream.on('error', (error: Error & { code?: string }) => {
    // A client that sent its FIN before the upstream refused still had its connection fail.
    if (connected) endWith('upstream_reset');
    else outcome = error.code === 'ETIMEDOUT' ? 'upstream_connect_timeout' : 'upstream_refused';
    client.destroy();
  });
  // A side gone without its FIN leaves nothing to pass on: close the other. After a FIN, the other
  // side finishes writing what it has and closes by itself (pipe ends it).
  client.once('close', () => {
    if (!client.readableEnded) upstream.destroy();
  });
  upstream.once('close', () => {
    clearTimeout(connectTimer);
    if (!upstream.readableEnded) client.destroy();
  });

  let open = 2;
  const closed = () => {
    open -= 1;
    if (open > 0) return;
    done({
      end: outcome ?? 'client_reset',
      received: Math.max(0, upstream.bytesWritten - (options.header?.length ?? 0)),
      sent: upstream.bytesRead,
      ms: performance.now() - started,
    });
  };
  client.once('close', closed);
  upstream.once('close', closed);
  const cut = (end: ConnectionOutcome) => {
    endWith(end);
    client.destroy();
    upstream.destroy();
  };
  // Idle: checked by the service's sweep (one timer for all connections) instead of a timer per
  // socket refreshed on every read and write. Every byte either way passes through the upstream socket.
  let lastBytes = 0;
  let lastActive = started;
  return {
    cut: () => cut('drain_cut'),
    checkIdle: (now) => {
      const bytes = upstream.bytesRead + upstream.bytesWritten;
      if (bytes !== lastBytes) {
        lastBytes = bytes;
        lastActive = now;
      } else if (now - lastActive >= options.idleTimeoutMs) {
        cut('idle_timeout');
      }
    },
  };
}
