import { metricsOn } from '@toolkit/lifecycle';
import { type Counter, Gauge, type Histogram, type Registry } from 'prom-client';

/**
 * The program's metrics, on the registry lifecycle made for this run. Like git-sync's (syncs and their
 * duration by result, fetches, hook runs) plus what it lacks: the last success time, the published
 * commit as a label, staleness, consecutive failures and POST /sync requests by result.
 */
export class RepoUpdaterMetrics {
  readonly syncs: Counter<'result'>;
  readonly syncDuration: Histogram<'result'>;
  readonly fetches: Counter<'result'>;
  readonly hookRuns: Counter<'hook' | 'result'>;
  readonly syncRequests: Counter<'result'>;
  readonly rebuilds: Counter;
  readonly consecutiveFailures: Gauge;
  readonly #staleAfterMs: number;
  readonly #startedAt: number;
  readonly #lastSuccessGauge: Gauge;
  readonly #commitInfo: Gauge<'commit'>;
  #lastSuccess: number | undefined;
  #publishedCommit: string | undefined;

  constructor(registry: Registry, staleAfterMs: number, startedAt = Date.now()) {
    this.#staleAfterMs = staleAfterMs;
    this.#startedAt = startedAt;
    const make = metricsOn(registry);
    this.#lastSuccessGauge = make.gauge(
      'repo_updater_last_success_timestamp_seconds',
      'Unix time of the last successful sync (new commit or no change); 0 before the first.',
    );
    this.#lastSuccessGauge.set(0);
    this.#commitInfo = make.gauge('repo_updater_commit_info', 'The commit behind the link; always 1.', [
      'commit',
    ]);
    const isStale = () => this.isStale();
    new Gauge({
      name: 'repo_updater_stale',
      help: '1 when the last successful sync is older than --stale-after (0 when that is off).',
      registers: [registry],
      collect() {
        this.set(isStale() ? 1 : 0);
      },
    });
    this.syncs = make.counter(
      'repo_updater_syncs_total',
      'Syncs by result: success (new commit published), noop (no change), rejected (validation refused the commit), error.',
      ['result'],
    );
    this.syncDuration = make.histogram(
      'repo_updater_sync_duration_seconds',
      'Duration of syncs by result, fetch to publish.',
      [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      ['result'],
    );
    this.fetches = make.counter('repo_updater_fetches_total', 'git fetch runs by result (ok, error).', [
      'result',
    ]);
    this.hookRuns = make.counter(
      'repo_updater_hook_runs_total',
      'Validation and notification runs by hook (validate, http, command, touch) and result (success, error).',
      ['hook', 'result'],
    );
    this.syncRequests = make.counter(
      'repo_updater_sync_requests_total',
      'POST /sync requests by result (accepted, unauthorized, disabled, too_large, shutting_down).',
      ['result'],
    );
    this.rebuilds = make.counter(
      'repo_updater_repository_rebuilds_total',
      'Times the local repository was found damaged and rebuilt.',
    );
    this.consecutiveFailures = make.gauge(
      'repo_updater_consecutive_failures',
      'Failed syncs since the last good one.',
    );
  }

  /** Records a good sync: timestamp, and the published commit as the only commit_info label. */
  markSuccess(commit: string | undefined, at = Date.now()): void {
    this.#lastSuccess = at;
    this.#lastSuccessGauge.set(at / 1000);
    if (commit && commit !== this.#publishedCommit) {
      this.#publishedCommit = commit;
      this.#commitInfo.reset();
      this.#commitInfo.set({ commit }, 1);
    }
  }

  /** Whether the last success is older than --stale-after (false when that is 0). */
  isStale(now = Date.now()): boolean {
    return this.#staleAfterMs > 0 && now - (this.#lastSuccess ?? this.#startedAt) > this.#staleAfterMs;
  }
}
