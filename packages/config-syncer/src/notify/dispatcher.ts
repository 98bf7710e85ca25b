import { type BackoffPolicy, computeBackoff, sleep } from '@toolkit/lifecycle';
import type { Logger } from 'pino';
import { describeError } from '../describe-error.ts';
import type { SyncerMetrics } from '../metrics.ts';
import type { ChangeEvent, Notifier } from './notifier.ts';

class Superseded extends Error {
  readonly code = 'SUPERSEDED';
}

/**
 * Tells the app about each publish through every notifier, each retried with backoff until it
 * succeeds. A newer publish cancels what is still pending for an older one: the app needs to hear
 * about the latest config once, not replay every step it missed while it was down.
 */
export class NotificationDispatcher {
  readonly #notifiers: readonly Notifier[];
  readonly #backoff: BackoffPolicy;
  readonly #log: Logger;
  readonly #metrics: SyncerMetrics;
  readonly #deliveries = new Set<Promise<void>>();
  #current: AbortController | undefined;

  constructor(notifiers: readonly Notifier[], backoff: BackoffPolicy, log: Logger, metrics: SyncerMetrics) {
    this.#notifiers = notifiers;
    this.#backoff = backoff;
    this.#log = log;
    this.#metrics = metrics;
  }

  notify(event: ChangeEvent): void {
    if (this.#notifiers.length === 0) return;
    this.#current?.abort(new Superseded(`superseded by revision ${event.revision}`));
    const controller = new AbortController();
    this.#current = controller;
    for (const notifier of this.#notifiers) {
      const delivery = this.#deliver(notifier, event, controller.signal).finally(() =>
        this.#deliveries.delete(delivery),
      );
      this.#deliveries.add(delivery);
    }
  }

  /** Resolves once every pending delivery has succeeded or been cancelled. */
  async idle(): Promise<void> {
    while (this.#deliveries.size > 0) await Promise.all(this.#deliveries);
  }

  /** At shutdown: stops retrying; a delivery still pending is dropped (and logged). */
  async close(): Promise<void> {
    this.#current?.abort(new Error('shutting down'));
    await this.idle();
  }

  async #deliver(notifier: Notifier, event: ChangeEvent, signal: AbortSignal): Promise<void> {
    const fields = { notifier: notifier.label, revision: event.revision };
    this.#metrics.notificationsPending.inc();
    try {
      for (let attempt = 1; ; attempt++) {
        const started = performance.now();
        try {
          const details = await notifier.send(event, signal);
          const ms = Math.round(performance.now() - started);
          this.#metrics.notifications.inc({ notifier: notifier.label, result: 'success' });
          this.#log.info({ ...fields, ...details, attempt, ms }, 'app notified');
          return;
        } catch (error) {
          if (signal.aborted) break;
          const retryInMs = computeBackoff(this.#backoff, attempt);
          this.#metrics.notifications.inc({ notifier: notifier.label, result: 'failure' });
          this.#log.warn(
            { ...fields, attempt, retryInMs, err: describeError(error) },
            'notification failed; retrying',
          );
          if (!(await sleep(retryInMs, signal))) break;
        }
      }
      if (signal.reason instanceof Superseded) {
        this.#metrics.notifications.inc({ notifier: notifier.label, result: 'superseded' });
        this.#log.info({ ...fields }, 'notification superseded by a newer change');
      } else {
        this.#log.warn({ ...fields }, 'shutting down before the app was notified');
      }
    } finally {
      this.#metrics.notificationsPending.dec();
    }
  }
}
