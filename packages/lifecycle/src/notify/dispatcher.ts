import { type BackoffPolicy, computeBackoff, sleep } from '../backoff.ts';
import { describeError } from '../describe-error.ts';
import type { Logger } from '../logger.ts';
import type { NotificationTarget } from './target.ts';

export interface NotificationPolicy {
  backoff: BackoffPolicy;
  /** Tries per event and target; 0 (the default) until success or a newer event. */
  maxAttempts?: number | undefined;
}

/** What became of one try, or of an event a newer one replaced before it was delivered. */
export type NotificationResult = 'success' | 'failure' | 'superseded';

export interface NotificationReporting<Event> {
  log: Logger;
  /** The log fields naming a target and an event, e.g. `{ hook: 'http', commit }`. */
  fields(label: string, event: Event): Record<string, unknown>;
  /** What the event is called in the give-up message: `commit`, `change`. */
  eventName: string;
  onResult?(label: string, result: NotificationResult): void;
  /** +1 when a target takes an event, -1 when it is delivered, superseded, given up or dropped. */
  onPending?(change: 1 | -1): void;
}

/**
 * Sends each event to every target in the background, so the caller is never held up. Each target
 * retries with backoff; a newer event replaces one not yet delivered (the app needs the latest state
 * once, not every step it missed while it was down) and cuts a retry's wait short, while a send in
 * flight runs to its end. Targets never wait for each other.
 */
export class NotificationDispatcher<Event> {
  readonly #workers: LatestEventWorker<Event>[];
  readonly #stop = new AbortController();

  constructor(
    targets: readonly NotificationTarget<Event>[],
    policy: NotificationPolicy,
    reporting: NotificationReporting<Event>,
  ) {
    this.#workers = targets.map(
      (target) => new LatestEventWorker(target, policy, reporting, this.#stop.signal),
    );
  }

  notify(event: Event): void {
    for (const worker of this.#workers) worker.offer(event);
  }

  /** Resolves when no notification is running or waiting to retry. */
  async idle(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.idle()));
  }

  /** At shutdown: stops retrying and aborts sends in flight; what was not delivered is logged. */
  async close(): Promise<void> {
    this.#stop.abort(new Error('shutting down'));
    await this.idle();
  }
}

class LatestEventWorker<Event> {
  readonly #target: NotificationTarget<Event>;
  readonly #policy: NotificationPolicy;
  readonly #reporting: NotificationReporting<Event>;
  readonly #stop: AbortSignal;
  #pending: { event: Event } | undefined;
  #newer = new AbortController();
  #running: Promise<void> | undefined;

  constructor(
    target: NotificationTarget<Event>,
    policy: NotificationPolicy,
    reporting: NotificationReporting<Event>,
    stop: AbortSignal,
  ) {
    this.#target = target;
    this.#policy = policy;
    this.#reporting = reporting;
    this.#stop = stop;
  }

  offer(event: Event): void {
    if (this.#stop.aborted) return;
    if (this.#pending) {
      this.#superseded(this.#pending.event);
      this.#reporting.onPending?.(-1);
    }
    this.#pending = { event };
    this.#reporting.onPending?.(1);
    this.#newer.abort();
    this.#running ??= this.#drain().finally(() => {
      this.#running = undefined;
    });
  }

  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #drain(): Promise<void> {
    while (this.#pending) {
      const { event } = this.#pending;
      this.#pending = undefined;
      this.#newer = new AbortController();
      try {
        if (this.#stop.aborted) this.#dropped(event);
        else await this.#deliver(event);
      } finally {
        this.#reporting.onPending?.(-1);
      }
    }
  }

  async #deliver(event: Event): Promise<void> {
    const { label } = this.#target;
    const { log, onResult } = this.#reporting;
    const fields = this.#reporting.fields(label, event);
    const maxAttempts = this.#policy.maxAttempts ?? 0;
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      try {
        const details = await this.#target.send(event, this.#stop);
        const ms = Math.round(performance.now() - started);
        onResult?.(label, 'success');
        log.info({ ...fields, ...details, attempt, ms }, 'app notified');
        return;
      } catch (error) {
        if (this.#stop.aborted) return this.#dropped(event);
        onResult?.(label, 'failure');
        const err = describeError(error);
        if (maxAttempts > 0 && attempt >= maxAttempts) {
          const { eventName } = this.#reporting;
          log.error({ ...fields, attempt, err }, `notification failed; giving up on this ${eventName}`);
          return;
        }
        const retryInMs = computeBackoff(this.#policy.backoff, attempt);
        log.warn({ ...fields, attempt, retryInMs, err }, 'notification failed; retrying');
        await sleep(retryInMs, this.#stop, this.#newer.signal);
      }
      if (this.#stop.aborted) return this.#dropped(event);
      if (this.#pending) return this.#superseded(event);
    }
  }

  #superseded(event: Event): void {
    this.#reporting.onResult?.(this.#target.label, 'superseded');
    const fields = this.#reporting.fields(this.#target.label, event);
    this.#reporting.log.info(fields, 'notification superseded by a newer change');
  }

  #dropped(event: Event): void {
    const fields = this.#reporting.fields(this.#target.label, event);
    this.#reporting.log.warn(fields, 'shutting down before the app was notified');
  }
}
