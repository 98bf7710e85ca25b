import { metricsOn } from '@toolkit/lifecycle';
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';

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
  readonly linksSkipped: Gauge<'source'>;
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
    const make = metricsOn(registry);
    this.syncs = make.counter(
      'config_syncer_syncs_total',
      'Syncs by result: changed (published), unchanged, failed (source, validation or publish error).',
      ['result'],
    );
    this.syncDuration = make.histogram(
      'config_syncer_sync_duration_seconds',
      'Time from reading the sources to the end of publishing.',
      [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    );
    this.publishes = make.counter(
      'config_syncer_publishes_total',
      'Publishes that changed the target directory.',
    );
    this.filesWritten = make.counter('config_syncer_files_written_total', 'Files written.');
    this.filesRemoved = make.counter(
      'config_syncer_files_removed_total',
      'Files removed because they left the source.',
    );
    this.managedFiles = make.gauge(
      'config_syncer_managed_files',
      'Files in the target written by the syncer.',
    );
    this.fsyncs = make.counter(
      'config_syncer_fsyncs_total',
      'fsyncs of published files and of their directories (none with --fsync never, nor with auto on tmpfs).',
    );
    this.validationFailures = make.counter(
      'config_syncer_validation_failures_total',
      'Configs not published, by reason: syntax, template, check (the check command), conflict (a name in two sources).',
      ['reason'],
    );
    this.sourceErrors = make.counter(
      'config_syncer_source_errors_total',
      'Failed reads or fetches of a source.',
      ['source'],
    );
    this.sourceFetches = make.counter(
      'config_syncer_source_fetches_total',
      'Polls of URL sources by result: modified, not_modified (304), unchanged (same bytes), error.',
      ['source', 'result'],
    );
    this.linksSkipped = make.gauge(
      'config_syncer_source_links_skipped',
      'Symlinks in a directory source that lead out of it, skipped (not published) at its last read.',
      ['source'],
    );
    this.watchEvents = make.counter(
      'config_syncer_watch_events_total',
      'File system events that triggered a sync.',
      ['source'],
    );
    this.watchErrors = make.counter(
      'config_syncer_watch_errors_total',
      'Errors of the file system watcher.',
      ['source'],
    );
    this.notifications = make.counter(
      'config_syncer_notifications_total',
      'Tries to tell the app, by notifier and result: success, failure (retried), superseded (a newer change came first).',
      ['notifier', 'result'],
    );
    this.notificationsPending = make.gauge(
      'config_syncer_notifications_pending',
      'Notifications not yet delivered.',
    );
    this.lastSyncSuccessful = make.gauge(
      'config_syncer_last_sync_successful',
      '1 if the last sync succeeded, 0 if it failed (the last good config stays published).',
    );
    this.lastSyncSuccess = make.gauge(
      'config_syncer_last_sync_success_timestamp_seconds',
      'Unix time of the last successful sync.',
    );
    this.lastPublish = make.gauge(
      'config_syncer_last_publish_timestamp_seconds',
      'Unix time of the last publish that changed the target.',
    );
    this.confirmations = make.counter(
      'config_syncer_confirmations_total',
      'Publishes checked at --confirm-url, by result: confirmed (the app reported the revision), timeout (published but never confirmed), superseded (a newer publish came first).',
      ['result'],
    );
    this.lastConfirmed = make.gauge(
      'config_syncer_last_confirmed_timestamp_seconds',
      'Unix time the app last confirmed a revision at --confirm-url.',
    );
    this.confirmedRevision = make.gauge(
      'config_syncer_confirmed_revision_info',
      'The revision the app last confirmed at --confirm-url, as the label of a single series set to 1.',
      ['revision'],
    );
  }
}
