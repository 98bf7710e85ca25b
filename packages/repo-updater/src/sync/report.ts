import type { Logger } from '@toolkit/lifecycle';
import type { RepoUpdaterMetrics } from '../metrics.ts';
import type { LoopState } from './loop.ts';
import type { SyncOutcome } from './syncer.ts';

/**
 * Logs and counts each sync outcome. Quiet when nothing changed (debug), info when a commit is
 * published, error when a sync fails; a refused commit is logged once, not at every period.
 */
export class OutcomeReporter {
  readonly #log: Logger;
  readonly #metrics: RepoUpdaterMetrics;
  readonly #onPublished: (outcome: SyncOutcome) => void;
  #reportedRejection: string | undefined;
  #warnedStale = false;

  constructor(log: Logger, metrics: RepoUpdaterMetrics, onPublished: (outcome: SyncOutcome) => void) {
    this.#log = log;
    this.#metrics = metrics;
    this.#onPublished = onPublished;
  }

  report(outcome: SyncOutcome, state: LoopState): void {
    const { result, commit, error } = outcome;
    const log = this.#log;
    const ms = Math.round(state.ms);
    this.#metrics.syncs.inc({ result });
    this.#metrics.syncDuration.observe({ result }, state.ms / 1000);
    this.#metrics.consecutiveFailures.set(state.failures);
    switch (result) {
      case 'success':
        this.#metrics.markSuccess(commit);
        log.info(
          { commit, previous: outcome.previous ?? null, checkout: outcome.checkout, ms },
          'published a new commit',
        );
        this.#onPublished(outcome);
        break;
      case 'noop':
        this.#metrics.markSuccess(commit);
        log.debug({ commit, ms }, 'no change');
        break;
      case 'rejected':
        if (error?.commit !== this.#reportedRejection) {
          this.#reportedRejection = error?.commit;
          log.error(
            { ...error?.toLog(), published: commit ?? null },
            'validation refused the commit; link unchanged',
          );
        }
        break;
      case 'error':
        if (error?.code === 'ABORTED') log.info({ ...error.toLog(), ms }, 'sync stopped');
        else
          log.error(
            { ...error?.toLog(), failures: state.failures, published: commit ?? null, ms },
            'sync failed',
          );
        break;
    }
    this.#checkStaleness();
  }

  #checkStaleness(): void {
    const stale = this.#metrics.isStale();
    if (stale && !this.#warnedStale) this.#log.warn('stale: no successful sync within --stale-after');
    this.#warnedStale = stale;
  }
}
