export interface DebounceOptions {
  /** Run once no trigger has come for this long; 0 runs on the next turn of the event loop. */
  quietMs: number;
  /** Run at the latest this long after the first trigger of a burst, so a steady stream cannot starve it. */
  maxWaitMs: number;
}

/**
 * Turns bursts of triggers into single runs of an async task, one run at a time: a trigger that comes
 * while the task runs schedules one more run after it, so the last change is never missed. A trigger
 * may ask for a full run; the flag is kept until a run takes it.
 */
export class Debouncer {
  readonly #options: DebounceOptions;
  readonly #run: (full: boolean) => Promise<void>;
  #timer: NodeJS.Timeout | undefined;
  #burstStartedAt: number | undefined;
  #running: Promise<void> | undefined;
  #rerun = false;
  #full = false;
  #closed = false;

  constructor(options: DebounceOptions, run: (full: boolean) => Promise<void>) {
    this.#options = options;
    this.#run = run;
  }

  trigger(full = false): void {
    if (this.#closed) return;
    this.#full ||= full;
    const now = performance.now();
    this.#burstStartedAt ??= now;
    const untilMax = this.#options.maxWaitMs - (now - this.#burstStartedAt);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, Math.min(this.#options.quietMs, untilMax)));
  }

  /** Resolves when no run is in progress or scheduled to follow. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Stops taking triggers and waits for the run in progress, if any. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#rerun = false;
    await this.idle();
  }

  #fire(): void {
    this.#timer = undefined;
    this.#burstStartedAt = undefined;
    if (this.#running) {
      this.#rerun = true;
      return;
    }
    this.#start();
  }

  #start(): void {
    const full = this.#full;
    this.#full = false;
    this.#running = this.#run(full)
      .catch(() => {
        // The task reports its own failures; a rejection must not stop later runs.
      })
      .finally(() => {
        this.#running = undefined;
        if (this.#rerun && !this.#closed) {
          this.#rerun = false;
          this.#start();
        }
      });
  }
}
