import { computeBackoff, type Logger, sleep } from '@toolkit/lifecycle';
import { countRecords, type RecordSlice, settleRecords, splitInHalf } from '../records/record.ts';
import type { SendOutcome, Sink } from '../sinks/sink.ts';
import type { RetryPolicy } from './retry.ts';

/** A runner's metrics, already bound to its sink's label. */
export interface RunnerMetrics {
  sent(count: number): void;
  failed(count: number): void;
  /** Records a receiver took but rejected (OTLP partial_success). */
  rejected(count: number): void;
  retried(count: number): void;
  batchSeconds(seconds: number): void;
  up(isUp: boolean): void;
}

/** Acknowledges what the sink took and what it refused for good; counts both. */
function settleOutcome(outcome: SendOutcome, metrics: RunnerMetrics, log: Logger): void {
  settleRecords(outcome.delivered);
  metrics.sent(countRecords(outcome.delivered));
  if (outcome.rejected) {
    metrics.rejected(outcome.rejected.count);
    log.warn(
      { records: outcome.rejected.count, problem: outcome.rejected.reason },
      'the sink took the batch but rejected some of its records; not sent again',
    );
  }
  if (outcome.dropped.length === 0) return;
  const dropped = countRecords(outcome.dropped);
  settleRecords(outcome.dropped);
  metrics.failed(dropped);
  log.error({ records: dropped, problem: outcome.problem }, 'sink refused records; dropped');
}

/**
 * The time before which no request goes to a sink: a failed batch's backoff or the sink's
 * Retry-After holds every batch of the sink, not only the one that failed, so batches in flight
 * together do not keep knocking while the sink asked for a pause.
 */
export class SinkPause {
  #until = 0;

  /** No request before `ms` from now (a later time already set stays). */
  extend(ms: number): void {
    this.#until = Math.max(this.#until, performance.now() + ms);
  }

  /** Resolves true once the pause is over, false when `signal` aborts first. */
  async over(signal: AbortSignal): Promise<boolean> {
    for (let wait = this.#until - performance.now(); wait > 0; wait = this.#until - performance.now()) {
      if (!(await sleep(wait, signal))) return false;
    }
    return !signal.aborted;
  }
}

/**
 * Sends a batch until the sink has taken (or refused for good) every record: what it asks to retry
 * goes again after the backoff or its Retry-After (which `pause`, shared by the sink's batches, makes
 * every batch wait for), with no limit unless the policy sets one. Returns early, leaving the rest
 * unacknowledged, when `signal` aborts (the shutdown deadline). Resolves with the count of records
 * left unacknowledged (0 unless it returned early).
 */
export async function deliverBatch(
  sink: Sink,
  batch: RecordSlice[],
  policy: RetryPolicy,
  metrics: RunnerMetrics,
  log: Logger,
  signal: AbortSignal,
  pause: SinkPause = new SinkPause(),
): Promise<number> {
  const started = performance.now();
  let pending = batch;
  let retries = 0;
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (!(await pause.over(signal))) return countRecords(pending);
    const outcome = await sink.send(pending, signal);
    settleOutcome(outcome, metrics, log);
    if (outcome.retry.length === 0) break;
    const retrying = countRecords(outcome.retry);
    const halves = outcome.tooLarge ? splitInHalf(outcome.retry) : undefined;
    if (halves) {
      log.warn(
        { records: retrying, problem: outcome.problem },
        'batch too large for the sink; sending it in halves',
      );
      let left = 0;
      for (const half of halves) left += await deliverBatch(sink, half, policy, metrics, log, signal, pause);
      return left;
    }
    if (outcome.tooLarge) {
      settleOutcome(
        { delivered: [], retry: [], dropped: outcome.retry, problem: outcome.problem ?? '' },
        metrics,
        log,
      );
      return 0;
    }
    metrics.up(false);
    if (policy.limit > 0 && attempt > policy.limit) {
      settleRecords(outcome.retry);
      metrics.failed(retrying);
      log.error(
        { records: retrying, attempts: attempt, problem: outcome.problem },
        'records dropped after the retry limit',
      );
      break;
    }
    const delayMs = outcome.retryAfterMs ?? computeBackoff(policy, attempt);
    // The first failure and then every tenth: a long outage should not flood the log.
    if (attempt === 1 || attempt % 10 === 0) {
      const fields = { records: retrying, attempt, delayMs: Math.round(delayMs), problem: outcome.problem };
      log.warn(fields, 'sink failed; retrying');
    }
    pause.extend(delayMs);
    if (!(await pause.over(signal))) return retrying;
    metrics.retried(retrying);
    pending = outcome.retry;
    retries = attempt;
  }
  if (retries > 0) log.info({ retries }, 'sink took the batch after retries');
  metrics.up(true);
  metrics.batchSeconds((performance.now() - started) / 1000);
  return 0;
}
