import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface RepoUpdaterMetrics {
  syncs: Counter<'result'>;
  syncDuration: Histogram<'result'>;
  fetches: Counter<'result'>;
  hookRuns: Counter<'hook' | 'result'>;
  syncRequests: Counter<'result'>;
  rebuilds: Counter;
  consecutiveFailures: Gauge;
  /** Records a good sync: timestamp, and the published commit as the only commit_info label. */
  markSuccess(commit: string | undefined, at?: number): void;
  /** Whether the last success is older than --stale-after (false when that is 0). */
  isStale(now?: number): boolean;
}

/**
 * The program's metrics, on the registry lifecycle made for this run. Like git-sync's (syncs and their
 * duration by result, fetches, hook runs) plus what it lacks: the last success time, the published
 * commit as a label, staleness, consecutive failures and POST /sync requests by result.
 */
export function createMetrics(
  registry: Registry,
  staleAfterMs: number,
  startedAt = Date.now(),
): RepoUpdaterMetrics {
  const registers = [registry];
  let lastSuccess: number | undefined;
  let publishedCommit: string | undefined;
  const isStale = (now = Date.now()) => staleAfterMs > 0 && now - (lastSuccess ?? startedAt) > staleAfterMs;
  const lastSuccessGauge = new Gauge({
    name: 'repo_updater_last_success_timestamp_seconds',
    help: 'Unix time of the last successful sync (new commit or no change); 0 before the first.',
    registers,
  });
  lastSuccessGauge.set(0);
  const commitInfo = new Gauge({
    name: 'repo_updater_commit_info',
    help: 'The commit behind the link; always 1.',
    labelNames: ['commit'],
    registers,
  });
  new Gauge({
    name: 'repo_updater_stale',
    help: '1 when the last successful sync is older than --stale-after (0 when that is off).',
    registers,
    collect() {
      this.set(isStale() ? 1 : 0);
    },
  });
  return {
    syncs: new Counter({
      name: 'repo_updater_syncs_total',
      help: 'Syncs by result: success (new commit published), noop (no change), rejected (validation refused the commit), error.',
      labelNames: ['result'],
      registers,
    }),
    syncDuration: new Histogram({
      name: 'repo_updater_sync_duration_seconds',
      help: 'Duration of syncs by result, fetch to publish.',
      labelNames: ['result'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    }),
    fetches: new Counter({
      name: 'repo_updater_fetches_total',
      help: 'git fetch runs by result (ok, error).',
      labelNames: ['result'],
      registers,
    }),
    hookRuns: new Counter({
      name: 'repo_updater_hook_runs_total',
      help: 'Validation and notification runs by hook (validate, http, command, touch) and result (success, error).',
      labelNames: ['hook', 'result'],
      registers,
    }),
    syncRequests: new Counter({
      name: 'repo_updater_sync_requests_total',
      help: 'POST /sync requests by result (accepted, unauthorized, disabled, too_large, shutting_down).',
      labelNames: ['result'],
      registers,
    }),
    rebuilds: new Counter({
      name: 'repo_updater_repository_rebuilds_total',
      help: 'Times the local repository was found damaged and rebuilt.',
      registers,
    }),
    consecutiveFailures: new Gauge({
      name: 'repo_updater_consecutive_failures',
      help: 'Failed syncs since the last good one.',
      registers,
    }),
    markSuccess(commit, at = Date.now()) {
      lastSuccess = at;
      lastSuccessGauge.set(at / 1000);
      if (commit && commit !== publishedCommit) {
        publishedCommit = commit;
        commitInfo.reset();
        commitInfo.set({ commit }, 1);
      }
    },
    isStale,
  };
}
