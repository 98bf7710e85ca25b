import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The bench's sink: an HTTP server on loopback that counts the lines (newlines) of every body and
 * answers 200 (204 for Loki-style pushes is not needed here). Counting bytes keeps it cheap, so the
 * shipper, not the sink, is what is measured.
 */
export class CountingSink {
  readonly #server: Server;
  count = 0;
  /** performance.now() of the last body received. */
  lastAt = 0;
  #waiters: (() => void)[] = [];

  private constructor() {
    this.#server = createServer((req, res) => {
      let lines = 0;
      req.on('data', (chunk: Buffer) => {
        for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
      });
      req.on('end', () => {
        this.count += lines;
        this.lastAt = performance.now();
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
        for (const wake of this.#waiters.splice(0)) wake();
      });
    });
  }

  static async start(): Promise<CountingSink> {
    const sink = new CountingSink();
    await new Promise<void>((resolve) => sink.#server.listen(0, '127.0.0.1', resolve));
    return sink;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  reset(): void {
    this.count = 0;
    this.lastAt = 0;
  }

  /** Resolves true once `expected` lines arrived; false after `ms` or when `gave_up()` says so. */
  async waitFor(expected: number, ms: number, gaveUp: () => boolean): Promise<boolean> {
    const deadline = performance.now() + ms;
    while (this.count < expected) {
      if (performance.now() > deadline || gaveUp()) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}
