import type { Logger } from '@toolkit/lifecycle';
import { type PositionsEntry, savePositions } from './positions-file.ts';

/** How often a write also flushes the file to the disk. */
const syncEveryMs = 1000;

export interface PositionsWriterOptions {
  path: string;
  /** Least milliseconds between two writes; 0 writes as soon as the previous write is done. */
  minIntervalMs: number;
  collect: () => PositionsEntry[];
  log: Logger;
  saved: (ok: boolean) => void;
}

/**
 * Writes the positions file when acknowledgements moved an offset: one write at a time, and the
 * acknowledgements that arrive during a write are covered by the next, so a busy forwarder writes
 * back to back and an idle one not at all.
 */
export class PositionsWriter {
  readonly #options: PositionsWriterOptions;
  #dirty = false;
  #writing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lastWriteAt = Number.NEGATIVE_INFINITY;
  #lastSyncAt = Number.NEGATIVE_INFINITY;
  #failures = 0;
  /** Callers of `persist`, resolved when the next write that starts is done. */
  #waiters: (() => void)[] = [];
  /** Unix milliseconds of the last successful write (the start time before the first). */
  lastSavedMs = Date.now();

  constructor(options: PositionsWriterOptions) {
    this.#options = options;
  }

  markDirty(): void {
    this.#dirty = true;
    this.#schedule(0);
  }

  #schedule(extraDelayMs: number): void {
    if (this.#writing || this.#timer) return;
    const wait = Math.max(
      extraDelayMs,
      this.#lastWriteAt + this.#options.minIntervalMs - performance.now(),
      0,
    );
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#write();
    }, wait);
  }

  /** Resolves once the positions written after this call are on disk (or the write failed, logged). */
  persist(): Promise<void> {
    const done = new Promise<void>((resolve) => this.#waiters.push(resolve));
    this.markDirty();
    return done;
  }

  #write(force = false): Promise<void> {
    this.#dirty = false;
    const waiters = this.#waiters;
    this.#waiters = [];
    const entries = this.#options.collect();
    // Flushed to the disk at most once a second (and at shutdown): each write survives a process
    // crash anyway, and a flush per batch would cap the batches at the disk's flush rate.
    const sync = force || performance.now() - this.#lastSyncAt >= syncEveryMs;
    if (sync) this.#lastSyncAt = performance.now();
    this.#writing = savePositions(this.#options.path, entries, sync)
      .then(() => {
        this.lastSavedMs = Date.now();
        this.#failures = 0;
        this.#options.saved(true);
      })
      .catch((error: Error) => {
        this.#dirty = true;
        this.#options.saved(false);
        // One line per failure streak, not one per batch: the disk may stay full for a while.
        if (this.#failures++ === 0)
          this.#options.log.error({ err: error }, 'cannot write the positions file');
      })
      .finally(() => {
        for (const resolve of waiters) resolve();
        this.#writing = undefined;
        this.#lastWriteAt = performance.now();
        if (this.#dirty) this.#schedule(this.#failures > 0 ? 1000 : 0);
      });
    return this.#writing;
  }

  /** Writes now what is acknowledged (at shutdown); resolves when it is on disk. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#writing;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#write(true);
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const resolve of this.#waiters.splice(0)) resolve();
  }
}
