import {
  type Config,
  type commonOptions,
  describeError,
  NotificationDispatcher,
  OutgoingTls,
  type ProgramContext,
} from '@toolkit/lifecycle';
import { buildConfirmer, buildNotifiers, buildSources } from './build-parts.ts';
import { Debouncer } from './debounce.ts';
import { SyncerMetrics } from './metrics.ts';
import type { ChangeEvent } from './notify/change-event.ts';
import type { options } from './options.ts';
import type { FsyncMode } from './publish/durability.ts';
import type { PublishLayout } from './publish/link-layout.ts';
import { deriveSettings } from './settings.ts';
import { Syncer } from './syncer.ts';
import type { TemplateMode } from './template.ts';

export type SyncerContext = ProgramContext<Config<typeof options & typeof commonOptions>>;

/**
 * Builds the parts from the options and runs them: once (`--once`, exit code returned) or watching
 * until shutdown. Shutdown steps run last-registered first: stop the resync timer, stop watching and
 * polling, let a publish in progress finish (so no half-published set), then drop pending notifications.
 */
export async function runConfigSyncer(context: SyncerContext): Promise<number | undefined> {
  const { config, log, signal } = context;
  // A bad combination of values throws a usage error: lifecycle prints it and exits 2.
  const settings = deriveSettings(config);
  const metrics = new SyncerMetrics(context.metrics);
  const outgoingTls = await OutgoingTls.open(config, log);
  const sources = buildSources(settings, config, outgoingTls.dispatcher);
  const syncer = await Syncer.open({
    sources,
    targetDir: settings.targetDir,
    layout: config.publishLayout as PublishLayout,
    mode: settings.fileMode,
    owner: settings.fileOwner,
    fsync: config.fsync as FsyncMode,
    template: config.template as TemplateMode,
    env: process.env,
    validateTypes: config.validate,
    check: config.checkCommand
      ? { command: config.checkCommand, timeoutMs: config.checkTimeout, env: process.env }
      : undefined,
    dryRun: config.dryRun,
    print: (line) => process.stdout.write(`${line}\n`),
    log,
    metrics,
    signal,
  });

  if (config.once) {
    try {
      await Promise.all(sources.map((source) => source.refresh(signal)));
    } catch (error) {
      log.error({ err: describeError(error) }, 'cannot read source');
      return 1;
    }
    const outcome = await syncer.sync(true);
    return outcome.result === 'changed' || outcome.result === 'unchanged' ? 0 : 1;
  }

  const notifiers = buildNotifiers(settings, config, process.env, outgoingTls.dispatcher);
  const dispatcher = new NotificationDispatcher<ChangeEvent>(
    notifiers,
    { backoff: { initialMs: config.notifyBackoff, maxMs: config.notifyBackoffMax } },
    {
      log,
      fields: (notifier, event) => ({ notifier, revision: event.revision }),
      eventName: 'change',
      onResult: (notifier, result) => metrics.notifications.inc({ notifier, result }),
      onPending: (change) => metrics.notificationsPending.inc(change),
    },
  );
  context.onShutdown('pending notifications', () => dispatcher.close());
  const confirmer = buildConfirmer(settings, config, { log, metrics }, outgoingTls.dispatcher);
  if (confirmer) context.onShutdown('reload confirmation', () => confirmer.close());
  let synced = false;
  const debouncer = new Debouncer(
    { quietMs: config.debounce, maxWaitMs: config.debounceMax },
    async (full) => {
      const outcome = await syncer.sync(full);
      if (outcome.result === 'changed' && !config.dryRun) {
        const publishedAt = Date.now();
        dispatcher.notify(outcome.event);
        confirmer?.confirm({
          revision: outcome.event.revision,
          writtenHashes: outcome.writtenHashes,
          publishedAt,
        });
      }
      if (synced) return;
      if (outcome.result === 'changed' || outcome.result === 'unchanged') {
        synced = true;
        context.ready();
      } else {
        // /readyz says why, until the first config is in place.
        const reason =
          outcome.result === 'pending'
            ? 'waiting for the first fetch of a URL source'
            : 'no valid config published yet (see the log)';
        context.health.markNotReady(reason);
      }
    },
  );
  context.onShutdown('sync in progress', () => debouncer.close());
  context.onShutdown('sources', () => Promise.all(sources.map((source) => source.close())));
  const sourceContext = { onChange: () => debouncer.trigger(), log, metrics, signal };
  for (const source of sources) await source.start(sourceContext);
  debouncer.trigger(true);
  if (config.resyncInterval > 0) {
    const timer = setInterval(() => debouncer.trigger(true), config.resyncInterval);
    context.onShutdown('resync timer', () => clearInterval(timer));
  }
  log.info(
    {
      sources: sources.map((source) => source.label),
      target: settings.targetDir,
      notifiers: notifiers.map((notifier) => notifier.label),
      confirmUrl: confirmer?.label,
      dryRun: config.dryRun,
    },
    'watching',
  );
  return undefined;
}
