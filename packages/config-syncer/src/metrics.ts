import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * The syncer's metrics, registered on the registry it is given (never the global one), so a test or
 * a second instance in one process gets fresh ones. Names follow the reloaders users already graph.
 */
export class SyncerMetrics {
  readonly syncs: Counter<'result'>;
  readonly syncDuration: Histogram;
  readonly publishes: Counter;
  readonly filesWritten: Counter;
  readonly filesRemoved: Counter;
  readonly managedFiles: Gauge;
  readonly fsyncs: Counter;
  readonly validationFailures: Counter<'reason'>;
  readonly sourceErrors: Counter<'source'>;
  readonly sourceFetches: Counter<'source' | 'result'>;
  readonly watchEvents: Counter<'source'>;
  readonly watchErrors: Counter<'source'>;
  readonly notifications: Counter<'notifier' | 'result'>;
  readonly notificationsPending: Gauge;
  readonly lastSyncSuccessful: Gauge;
  readonly lastSyncSuccess: Gauge;
  readonly lastPublish: Gauge;
  readonly confirmations: Counter<'result'>;
  readonly lastConfirmed: Gauge;
  readonly confirmedRevision: Gauge<'revision'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.syncs = new Counter({
      name: 'config_syncer_syncs_total',
      help: 'Syncs by result: changed (published), unchanged, failed (source, validation or publish error).',
      labelNames: ['result'],
      registers,
    });
    this.syncDuration = new Histogram({
      name: 'config_syncer_sync_duration_seconds',
      help: 'Time from reading the sources to the end of publishing.',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    });
    this.publishes = new Counter({
      name: 'config_syncer_publishes_total',
      help: 'Publishes that changed the target directory.',
      registers,
    });
    this.filesWritten = new Counter({
      name: 'config_syncer_files_written_total',
      help: 'Files written.',
      registers,
    });
    this.filesRemoved = new Counter({
      name: 'config_syncer_files_removed_total',
      help: 'Files removed because they left the source.',
      registers,
    });
    this.managedFiles = new Gauge({
      name: 'config_syncer_managed_files',
      help: 'Files in the target written by the syncer.',
      registers,
    });
    this.fsyncs = new Counter({
      name: 'config_syncer_fsyncs_total',
      help: 'fsyncs of published files and of their directories (none with --fsync never, nor with auto on tmpfs).',
      registers,
    });
    this.validationFailures = new Counter({
      name: 'config_syncer_validation_failures_total',
      help: 'Configs not published, by reason: syntax, template, check (the check command), conflict (a name in two sources).',
      labelNames: ['reason'],
      registers,
    });
    this.sourceErrors = new Counter({
      name: 'config_syncer_source_errors_total',
      help: 'Failed reads or fetches of a source.',
      labelNames: ['source'],
      registers,
    });
    this.sourceFetches = new Counter({
      name: 'config_syncer_source_fetches_total',
      help: 'Polls of URL sources by result: modified, not_modified (304), unchanged (same bytes), error.',
      labelNames: ['source', 'result'],
      registers,
    });
    this.watchEvents = new Counter({
      name: 'config_syncer_watch_events_total',
      help: 'File system events that triggered a sync.',
      labelNames: ['source'],
      registers,
    });
    this.watchErrors = new Counter({
      name: 'config_syncer_watch_errors_total',
      help: 'Errors of the file system watcher.',
      labelNames: ['source'],
      registers,
    });
    this.notifications = new Counter({
      name: 'config_syncer_notifications_total',
      help: 'Tries to tell the app, by notifier and result: success, failure (retried), superseded (a newer change came first).',
      labelNames: ['notifier', 'result'],
      registers,
    });
    this.notificationsPending = new Gauge({
      name: 'config_syncer_notifications_pending',
      help: 'Notifications not yet delivered.',
      registers,
    });
    this.lastSyncSuccessful = new Gauge({
      name: 'config_syncer_last_sync_successful',
      help: '1 if the last sync succeeded, 0 if it failed (the last good config stays published).',
      registers,
    });
    this.lastSyncSuccess = new Gauge({
      name: 'config_syncer_last_sync_success_timestamp_seconds',
      help: 'Unix time of the last successful sync.',
      registers,
    });
    this.lastPublish = new Gauge({
      name: 'config_syncer_last_publish_timestamp_seconds',
      help: 'Unix time of the last publish that changed the target.',
      registers,
    });
    this.confirmations = new Counter({
      name: 'config_syncer_confirmations_total',
      help: 'Publishes checked at --confirm-url, by result: confirmed (the app reported the revision), timeout (published but never confirmed), superseded (a newer publish came first).',
      labelNames: ['result'],
      registers,
    });
    this.lastConfirmed = new Gauge({
      name: 'config_syncer_last_confirmed_timestamp_seconds',
      help: 'Unix time the app last confirmed a revision at --confirm-url.',
      registers,
    });
    this.confirmedRevision = new Gauge({
      name: 'config_syncer_confirmed_revision_info',
      help: 'The revision the app last confirmed at --confirm-url, as the label of a single series set to 1.',
      labelNames: ['revision'],
      registers,
    });
  }
}
