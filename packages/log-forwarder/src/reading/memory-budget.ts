import { badOption } from '@toolkit/lifecycle';

/**
 * The bytes of lines read but not yet acknowledged by every sink. Readers wait for room before
 * reading more, so a slow or failing sink pauses reading (backpressure) instead of growing memory.
 */
export class MemoryBudget {
  readonly max: number;
  #used = 0;
  #waiters: (() => void)[] = [];
  #pausedSince: number | undefined;
  #pausedMs = 0;

  constructor(max: number) {
    this.max = max;
  }

  get used(): number {
    return this.#used;
  }

  get full(): boolean {
    return this.#used >= this.max;
  }

  /** Milliseconds readers have spent waiting for room, so far. */
  get pausedMs(): number {
    return this.#pausedMs + (this.#pausedSince === undefined ? 0 : performance.now() - this.#pausedSince);
  }

  take(bytes: number): void {
    this.#used += bytes;
  }

  release(bytes: number): void {
    this.#used -= bytes;
    if (this.#used < this.max && this.#waiters.length > 0) {
      if (this.#pausedSince !== undefined) this.#pausedMs += performance.now() - this.#pausedSince;
      this.#pausedSince = undefined;
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** Resolves when there is room, or at once when the signal is aborted. */
  room(signal?: AbortSignal): Promise<void> {
    if (!this.full || signal?.aborted) return Promise.resolve();
    this.#pausedSince ??= performance.now();
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.#waiters.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

/**
 * Lines waiting for the sinks take up to about four times their bytes in the JavaScript heap (the
 * line as a string, its parsed fields, the request body made from them); the budget may use at most
 * half the heap, so `--buffer-max-bytes` may be an eighth of Node's heap limit (`heap_size_limit`:
 * `--max-old-space-size` plus the young generation). Past that, a busy forwarder would die out of
 * memory instead of pausing its reading.
 */
export function checkBufferFitsHeap(bufferMaxBytes: number, heapLimitBytes: number): void {
  const most = Math.floor(heapLimitBytes / 8);
  if (bufferMaxBytes <= most) return;
  const mib = (bytes: number) => `${Math.round(bytes / 1048576)} MiB`;
  throw badOption(
    'bufferMaxBytes',
    `${bufferMaxBytes} is more than an eighth of Node's heap limit (${mib(heapLimitBytes)}): at most ${most}, or give Node a larger heap (NODE_OPTIONS=--max-old-space-size=${Math.ceil((bufferMaxBytes * 8) / 1048576)})`,
  );
}
