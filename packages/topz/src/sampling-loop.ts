import type { Sampler } from './sampler.ts';
import type { Snapshot } from './snapshot.ts';

/** One point of the totals history the web page charts. */
export interface HistoryPoint {
  time: string;
  cpuPercent: number;
  rssBytes: number;
}

export interface SamplingLoopOptions {
  intervalMs: number;
  /** Points of totals history kept for the web page. */
  historyLength?: number;
  onSnapshot?: (snapshot: Snapshot) => void;
  /** A sweep that failed as a whole (e.g. /proc unmounted); the loop goes on and serves the last one. */
  onError?: (error: unknown) => void;
}

/**
 * Samples in the background every interval and keeps the latest snapshot, so a request is answered at
 * once and CPU% always spans a whole interval (a first read of a process has no interval to span).
 */
export class SamplingLoop {
  readonly #sampler: Sampler;
  readonly #options: SamplingLoopOptions;
  readonly #history: HistoryPoint[] = [];
  #latest: Snapshot | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(sampler: Sampler, options: SamplingLoopOptions) {
    this.#sampler = sampler;
    this.#options = options;
  }

  /** The newest snapshot; undefined until the first interval has passed. */
  get latest(): Snapshot | undefined {
    return this.#latest;
  }

  get history(): readonly HistoryPoint[] {
    return this.#history;
  }

  /**
   * Takes a first reading now (throwing if /proc cannot be read at all) and resolves with the first
   * snapshot, one interval later unless that sweep fails.
   */
  start(): Promise<Snapshot> {
    this.#sampler.sample();
    const origin = performance.now();
    return new Promise((resolve) => {
      let resolved = false;
      const tick = (slot: number) => {
        if (this.#stopped) return;
        this.#sampleNow();
        if (this.#latest && !resolved) {
          resolved = true;
          resolve(this.#latest);
        }
        // Stay on the grid origin + k × interval; a sweep that overran skips the slots it missed.
        const elapsed = performance.now() - origin;
        const next = Math.max(slot + 1, Math.ceil(elapsed / this.#options.intervalMs));
        this.#timer = setTimeout(
          () => tick(next),
          origin + next * this.#options.intervalMs - performance.now(),
        );
      };
      this.#timer = setTimeout(() => tick(1), this.#options.intervalMs);
    });
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #sampleNow(): void {
    let snapshot: Snapshot;
    try {
      snapshot = this.#sampler.sample();
    } catch (error) {
      this.#options.onError?.(error);
      return;
    }
    this.#latest = snapshot;
    this.#history.push({
      time: snapshot.time,
      cpuPercent: snapshot.totals.cpuPercent,
      rssBytes: snapshot.totals.rssBytes,
    });
    if (this.#history.length > (this.#options.historyLength ?? 120)) this.#history.shift();
    this.#options.onSnapshot?.(snapshot);
  }
}
