import type { ServerHttp2Session } from 'node:http2';
import type { Socket } from 'node:net';
import type { ProxyMetrics } from '../metrics.ts';
import type { HttpsServer } from './https-listener.ts';

/** How long busy keep-alive clients get to be told `Connection: close` before idle connections are closed. */
const settleMs = 500;

/**
 * Knows every client connection, from TCP accept to close (handshaking and upgraded ones too, which
 * the HTTP server stops tracking), so a drain can finish politely and then cut what is left.
 */
export class ConnectionTracker {
  readonly #server: HttpsServer;
  readonly #sockets = new Set<Socket>();
  /** h2 sessions (none on the http/1.1-only server): a drain sends each a GOAWAY. */
  readonly #sessions = new Set<ServerHttp2Session>();
  #phase: 'serving' | 'settling' | 'closing' = 'serving';
  #idleSweep: NodeJS.Timeout | undefined;

  constructor(server: HttpsServer, metrics: ProxyMetrics) {
    this.#server = server;
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      metrics.openConnections.inc();
      socket.once('close', () => {
        this.#sockets.delete(socket);
        metrics.openConnections.dec();
      });
    });
    server.on('session', (session: ServerHttp2Session) => {
      if (this.#phase === 'closing') session.close();
      this.#sessions.add(session);
      session.once('close', () => this.#sessions.delete(session));
    });
  }

  /** True from the start of a drain: responses then carry `Connection: close`, upgrades are refused. */
  get draining(): boolean {
    return this.#phase !== 'serving';
  }

  /**
   * Called when a response ends. Once the listener is closed, a connection whose response began before
   * the drain (so it said keep-alive) is closed when it has been idle for the settle time: closing it
   * at once would race the next request its client may be sending.
   */
  responseDone(): void {
    if (this.#phase !== 'closing' || this.#idleSweep) return;
    this.#idleSweep = setTimeout(() => {
      this.#idleSweep = undefined;
      this.#server.closeIdleConnections();
    }, settleMs);
    this.#idleSweep.unref();
  }

  /**
   * Drains politely, then cuts what is left when `graceMs` runs out. First, for the settle time, every
   * response says `Connection: close` while the listener still accepts, so busy keep-alive connections
   * close themselves after their current response. Then the listener stops and the connections idle
   * since before the drain are closed: an idle connection can only be closed by racing a request its
   * client may be sending, and any client busy enough to be in that race has already been told to
   * close. Requests in flight finish; WebSockets get the whole grace period. An h2 session is told
   * GOAWAY when the listener stops: its open streams finish, its client opens no new one.
   */
  async drain(graceMs: number): Promise<void> {
    this.#phase = 'settling';
    const force = setTimeout(() => {
      if ('closeAllConnections' in this.#server) this.#server.closeAllConnections();
      for (const socket of this.#sockets) socket.destroy();
    }, graceMs);
    force.unref();
    await new Promise((resolve) => setTimeout(resolve, Math.min(settleMs, graceMs / 2)));
    this.#phase = 'closing';
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeIdleConnections();
      for (const session of this.#sessions) session.close();
    });
    clearTimeout(force);
    clearTimeout(this.#idleSweep);
  }
}
