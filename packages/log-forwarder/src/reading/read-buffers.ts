/**
 * Read buffers shared by all files. A buffer a big read filled stays with its records until every
 * sink has them, then comes back; at most `count` exist, so reading waits when they are all out
 * (backpressure) and memory stays at `count` buffers however many files are followed.
 */
export class ReadBuffers {
  readonly size: number;
  readonly #free: Buffer[] = [];
  readonly #waiters: ((buffer: Buffer) => void)[] = [];
  #created = 0;
  readonly #count: number;

  constructor(size: number, count: number) {
    this.size = size;
    this.#count = count;
  }

  acquire(): Buffer | Promise<Buffer> {
    const free = this.#free.pop();
    if (free) return free;
    if (this.#created < this.#count) {
      this.#created++;
      return Buffer.allocUnsafe(this.size);
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  release(buffer: Buffer): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(buffer);
    else this.#free.push(buffer);
  }
}
