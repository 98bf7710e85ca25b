import { type BackoffPolicy, computeBackoff, sleep } from '@toolkit/lifecycle';
import { SyncError } from './sync-error.ts';
import type { SyncOutcome } from './syncer.ts';

export interface LoopSettings {
  /** Pause after a good sync; 0 waits for a request. */
  periodMs: number;
  syncTimeoutMs: number;
  oneTime: boolean;
  /** Consecutive failures before giving up, after / before the first success; -1 never (with oneTime: the first). */
  maxFailures: number;
  initMaxFailures: number;
  backoff: BackoffPolicy;
  initBackoff: BackoffPolicy;
}

export interface LoopState {
  failures: number;
  succeeded: boolean;
  ms: number;
}

export interface LoopHooks {
  sync(signal: AbortSignal): Promise<SyncOutcome>;
  /** Logs and metrics of one outcome. */
  report(outcome: SyncOutcome, state: LoopState): void;
  /** Called once, after the first good sync. */
  onFirstSuccess(): void;
  /** Deletes worktrees whose grace period is over; runs between syncs, never during one. */
  maintain(signal: AbortSignal): Promise<void>;
  nextMaintenanceIn(): number | undefined;
}

/**
 * Runs syncs one at a time: every period, at once on request, after a failure with exponential
 * backoff (shorter until the first success). Resolves with an exit code when the program should end
 * (--one-time done, or too many failures), or undefined once the signal aborts.
 */
export class SyncLoop {
  readonly #settings: LoopSettings;
  readonly #hooks: LoopHooks;
  #waiters: ((outcome: SyncOutcome) => void)[] = [];
  #wake = new AbortController();

  constructor(settings: LoopSettings, hooks: LoopHooks) {
    this.#settings = settings;
    this.#hooks = hooks;
  }

  /** Starts a sync as soon as none is running; resolves with the outcome of a sync that began after this call. */
  requestSync(): Promise<SyncOutcome> {
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
      this.#wake.abort();
    });
  }

  async run(signal: AbortSignal): Promise<number | undefined> {
    const settings = this.#settings;
    const state: LoopState = { failures: 0, succeeded: false, ms: 0 };
    while (!signal.aborted) {
      this.#wake = new AbortController();
      const waiters = this.#waiters;
      this.#waiters = [];
      const started = performance.now();
      const attempt = AbortSignal.any([signal, AbortSignal.timeout(settings.syncTimeoutMs)]);
      const outcome = await this.#hooks.sync(attempt);
      state.ms = performance.now() - started;
      const good = outcome.result === 'success' || outcome.result === 'noop';
      if (good) state.failures = 0;
      // A refused commit is not a passing fault: retrying, or restarting, would not change it.
      else if (outcome.result === 'error' && !signal.aborted) state.failures++;
      this.#hooks.report(outcome, state);
      for (const resolve of waiters) resolve(outcome);
      if (signal.aborted) break;
      if (good && !state.succeeded) {
        state.succeeded = true;
        this.#hooks.onFirstSuccess();
      }
      const limit = state.succeeded ? settings.maxFailures : settings.initMaxFailures;
      if (settings.oneTime && good) return 0;
      if (settings.oneTime && (outcome.result === 'rejected' || limit < 0 || state.failures >= limit))
        return 1;
      if (limit > 0 && state.failures >= limit) return 1;
      const delay = good
        ? settings.periodMs || Number.POSITIVE_INFINITY
        : outcome.result === 'rejected'
          ? settings.periodMs || Number.POSITIVE_INFINITY
          : computeBackoff(state.succeeded ? settings.backoff : settings.initBackoff, state.failures);
      await this.#wait(delay, signal);
    }
    this.#releaseWaiters();
    return undefined;
  }

  /** Sleeps until `ms` pass, a sync is requested or shutdown, doing due maintenance first. */
  async #wait(ms: number, signal: AbortSignal): Promise<void> {
    const until = performance.now() + ms;
    while (!signal.aborted) {
      const maintenanceIn = this.#hooks.nextMaintenanceIn();
      if (maintenanceIn === 0) {
        await this.#hooks.maintain(signal);
        continue;
      }
      const remaining = until - performance.now();
      if (remaining <= 0 || this.#wake.signal.aborted) return;
      await sleep(Math.min(remaining, maintenanceIn ?? remaining), signal, this.#wake.signal);
    }
  }

  #releaseWaiters(): void {
    const stopped: SyncOutcome = {
      result: 'error',
      commit: undefined,
      error: new SyncError('ABORTED', 'prepare', 'shutting down'),
    };
    for (const resolve of this.#waiters.splice(0)) resolve(stopped);
  }
}
