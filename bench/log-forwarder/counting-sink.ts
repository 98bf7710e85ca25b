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

  /**
   * Counts `marker` in the bodies: a newline (one NDJSON record a line), or `seq=` for bodies that hold
   * the lines without newlines (Loki, OTLP), each bench line carrying it once.
   */
  private constructor(marker: string) {
    const bytes = Buffer.from(marker);
    this.#server = createServer((req, res) => {
      let lines = 0;
      // The last bytes of a chunk, where a marker cut in two would start (none for a one-byte marker).
      let carry: Buffer = Buffer.alloc(0);
      req.on('data', (chunk: Buffer) => {
        const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
        for (let at = data.indexOf(bytes); at !== -1; at = data.indexOf(bytes, at + bytes.length)) lines++;
        carry = data.subarray(Math.max(0, data.length - (bytes.length - 1)));
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

  static async start(marker = '\n'): Promise<CountingSink> {
    const sink = new CountingSink(marker);
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
