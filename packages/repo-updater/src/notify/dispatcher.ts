import { type BackoffPolicy, computeBackoff, type Logger, sleep } from '@toolkit/lifecycle';
import type { Notifier, PublishEvent } from './notifier.ts';

export interface NotifyPolicy {
  backoff: BackoffPolicy;
  /** Tries per event; 0 until success or a newer event. */
  maxAttempts: number;
}

export interface NotifyReporting {
  log: Logger;
  onRun(hook: string, ok: boolean): void;
}

/**
 * Sends each published commit to every notifier, in the background so publishing is never held up.
 * Each notifier retries with backoff; a newer commit replaces a pending retry (the app only cares about
 * the latest tree), and notifiers never wait for each other.
 */
export class NotifyDispatcher {
  readonly #workers: LatestEventWorker[];
  readonly #stop = new AbortController();

  constructor(notifiers: readonly Notifier[], policy: NotifyPolicy, reporting: NotifyReporting) {
    this.#workers = notifiers.map(
      (notifier) => new LatestEventWorker(notifier, policy, reporting, this.#stop.signal),
    );
  }

  get enabled(): boolean {
    return this.#workers.length > 0;
  }

  notify(event: PublishEvent): void {
    for (const worker of this.#workers) worker.offer(event);
  }

  /** Resolves when no notification is running or waiting to retry. */
  async idle(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.idle()));
  }

  /** Stops retrying and aborts requests and commands in flight. */
  async stop(): Promise<void> {
    this.#stop.abort(new Error('shutting down'));
    await this.idle();
  }
}

class LatestEventWorker {
  readonly #notifier: Notifier;
  readonly #policy: NotifyPolicy;
  readonly #reporting: NotifyReporting;
  readonly #stop: AbortSignal;
  #pending: PublishEvent | undefined;
  #newer = new AbortController();
  #running: Promise<void> | undefined;

  constructor(notifier: Notifier, policy: NotifyPolicy, reporting: NotifyReporting, stop: AbortSignal) {
    this.#notifier = notifier;
    this.#policy = policy;
    this.#reporting = reporting;
    this.#stop = stop;
  }

  offer(event: PublishEvent): void {
    if (this.#stop.aborted) return;
    this.#pending = event;
    this.#newer.abort();
    this.#running ??= this.#drain().finally(() => {
      this.#running = undefined;
    });
  }

  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #drain(): Promise<void> {
    while (this.#pending && !this.#stop.aborted) {
      const event = this.#pending;
      this.#pending = undefined;
      this.#newer = new AbortController();
      await this.#deliver(event);
    }
  }

  async #deliver(event: PublishEvent): Promise<void> {
    const { hook } = this.#notifier;
    const { log, onRun } = this.#reporting;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#notifier.send(event, this.#stop);
        onRun(hook, true);
        log.info({ hook, commit: event.commit, attempt }, 'app notified');
        return;
      } catch (error) {
        if (this.#stop.aborted) return;
        onRun(hook, false);
        const last = this.#policy.maxAttempts > 0 && attempt >= this.#policy.maxAttempts;
        log[last ? 'error' : 'warn'](
          { hook, commit: event.commit, attempt, error: (error as Error).message },
          last ? 'notification failed; giving up on this commit' : 'notification failed; will retry',
        );
        if (last) return;
      }
      await sleep(computeBackoff(this.#policy.backoff, attempt), this.#stop, this.#newer.signal);
      if (this.#pending || this.#stop.aborted) return;
    }
  }
}
