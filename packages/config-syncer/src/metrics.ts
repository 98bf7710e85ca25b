import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * The syncer's metrics, registered on the registry it is given (never the global one), so a test or
 * a second instance in one process gets fresh ones. Names follow the reloaders users already graph.
 */
export function createSyncerMetrics(registry: Registry) {
  const registers = [registry];
  return {
    syncs: new Counter({
      name: 'config_syncer_syncs_total',
      help: 'Syncs by result: changed (published), unchanged, failed (source, validation or publish error).',
      labelNames: ['result'],
      registers,
    }),
    syncDuration: new Histogram({
      name: 'config_syncer_sync_duration_seconds',
      help: 'Time from reading the sources to the end of publishing.',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    }),
    publishes: new Counter({
      name: 'config_syncer_publishes_total',
      help: 'Publishes that changed the target directory.',
      registers,
    }),
    filesWritten: new Counter({
      name: 'config_syncer_files_written_total',
      help: 'Files written.',
      registers,
    }),
    filesRemoved: new Counter({
      name: 'config_syncer_files_removed_total',
      help: 'Files removed because they left the source.',
      registers,
    }),
    managedFiles: new Gauge({
      name: 'config_syncer_managed_files',
      help: 'Files in the target written by the syncer.',
      registers,
    }),
    validationFailures: new Counter({
      name: 'config_syncer_validation_failures_total',
      help: 'Configs not published, by reason: syntax, template, check (the check command), conflict (a name in two sources).',
      labelNames: ['reason'],
      registers,
    }),
    sourceErrors: new Counter({
      name: 'config_syncer_source_errors_total',
      help: 'Failed reads or fetches of a source.',
      labelNames: ['source'],
      registers,
    }),
    sourceFetches: new Counter({
      name: 'config_syncer_source_fetches_total',
      help: 'Polls of URL sources by result: modified, not_modified (304), unchanged (same bytes), error.',
      labelNames: ['source', 'result'],
      registers,
    }),
    watchEvents: new Counter({
      name: 'config_syncer_watch_events_total',
      help: 'File system events that triggered a sync.',
      labelNames: ['source'],
      registers,
    }),
    watchErrors: new Counter({
      name: 'config_syncer_watch_errors_total',
      help: 'Errors of the file system watcher.',
      labelNames: ['source'],
      registers,
    }),
    notifications: new Counter({
      name: 'config_syncer_notifications_total',
      help: 'Tries to tell the app, by notifier and result: success, failure (retried), superseded (a newer change came first).',
      labelNames: ['notifier', 'result'],
      registers,
    }),
    notificationsPending: new Gauge({
      name: 'config_syncer_notifications_pending',
      help: 'Notifications not yet delivered.',
      registers,
    }),
    lastSyncSuccessful: new Gauge({
      name: 'config_syncer_last_sync_successful',
      help: '1 if the last sync succeeded, 0 if it failed (the last good config stays published).',
      registers,
    }),
    lastSyncSuccess: new Gauge({
      name: 'config_syncer_last_sync_success_timestamp_seconds',
      help: 'Unix time of the last successful sync.',
      registers,
    }),
    lastPublish: new Gauge({
      name: 'config_syncer_last_publish_timestamp_seconds',
      help: 'Unix time of the last publish that changed the target.',
      registers,
    }),
  };
}

export type SyncerMetrics = ReturnType<typeof createSyncerMetrics>;
