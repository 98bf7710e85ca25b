import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ProxyMetrics } from '../metrics.ts';

/** How long busy keep-alive clients get to be told `Connection: close` before idle connections are closed. */
const settleMs = 500;

/**
 * Knows every client connection, from TCP accept to close (handshaking and upgraded ones too, which
 * the HTTP server stops tracking), so a drain can finish politely and then cut what is left.
 */
export class ConnectionTracker {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #phase: 'serving' | 'settling' | 'closing' = 'serving';
  #idleSweep: NodeJS.Timeout | undefined;

  constructor(server: Server, metrics: ProxyMetrics) {
    this.#server = server;
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      metrics.openConnections.inc();
      socket.once('close', () => {
        this.#sockets.delete(socket);
        metrics.openConnections.dec();
      });
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
   * close. Requests in flight finish; WebSockets get the whole grace period.
   */
  async drain(graceMs: number): Promise<void> {
    this.#phase = 'settling';
    const force = setTimeout(() => {
      this.#server.closeAllConnections();
      for (const socket of this.#sockets) socket.destroy();
    }, graceMs);
    force.unref();
    await new Promise((resolve) => setTimeout(resolve, Math.min(settleMs, graceMs / 2)));
    this.#phase = 'closing';
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeIdleConnections();
    });
    clearTimeout(force);
    clearTimeout(this.#idleSweep);
  }
}
