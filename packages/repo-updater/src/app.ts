import {
  type Config,
  type commonOptions,
  NotificationDispatcher,
  OutgoingTls,
  type ProgramContext,
} from '@toolkit/lifecycle';
import { buildGitRunner, buildNotifiers, buildValidator, KnownSecrets } from './build-parts.ts';
import { safeDirectoriesFor, writeGlobalGitConfig } from './git/global-config.ts';
import { redactUrlCredentials } from './git/redact.ts';
import { describeRef } from './git/refs.ts';
import { LocalRepository } from './git/repository.ts';
import type { SubmoduleMode } from './git/worktrees.ts';
import { RepoUpdaterMetrics } from './metrics.ts';
import type { PublishEvent } from './notify/publish-event.ts';
import type { options } from './options.ts';
import { removeExpiredWorktrees, takeOverRoot } from './publish/cleanup.ts';
import { RetiredWorktrees } from './publish/retired.ts';
import { deriveSettings } from './settings.ts';
import { SyncLoop } from './sync/loop.ts';
import { OutcomeReporter } from './sync/report.ts';
import { Syncer } from './sync/syncer.ts';
import { createSyncHandler } from './webhook/sync-route.ts';

export type RepoUpdaterContext = ProgramContext<Config<typeof options & typeof commonOptions>>;

/**
 * Builds the parts from the options and runs the sync loop until shutdown, or once with --one-time.
 * Shutdown steps run last-registered first: stop the sync loop (a sync in progress is aborted and its
 * partial worktree deleted; the link stays on the last complete tree), then drop pending notifications.
 */
export async function runRepoUpdater(context: RepoUpdaterContext): Promise<number | undefined> {
  const { config, log, signal } = context;
  // Throws UsageError for options that do not go together: lifecycle prints it and exits 2.
  const settings = deriveSettings(config);
  // Files and directories git writes inherit it, so the app's group can write too (and delete).
  if (config.groupWrite) process.umask(0o002);
  const { layout } = settings;
  const metrics = new RepoUpdaterMetrics(context.metrics, config.staleAfter);
  const secrets = new KnownSecrets(config.syncToken, config.passwordFile);
  const globalConfig = writeGlobalGitConfig(
    safeDirectoriesFor(settings.repoIsLocal ? settings.repoUrl : undefined, layout.root),
  );
  // Registered first, so it runs after the sync loop has stopped.
  context.onShutdown('git config file', () => globalConfig.remove());
  const git = buildGitRunner(config, settings, secrets, log, globalConfig.path);
  const source = { url: settings.repoUrl, ref: settings.ref, depth: config.depth };
  const repository = new LocalRepository(git, layout, source);
  const retired = new RetiredWorktrees(config.worktreeGrace, Date.now, config.reuseWorktrees);

  const syncer = new Syncer({
    git,
    repository,
    layout,
    checkout: {
      sparsePaths: config.sparsePaths,
      submodules: config.submodules as SubmoduleMode,
      depth: config.depth,
    },
    retired,
    validate: buildValidator(config, metrics),
    onFetch: (ok) => metrics.fetches.inc({ result: ok ? 'ok' : 'error' }),
    onRebuild: () => metrics.rebuilds.inc(),
    log,
  });
  const ref = describeRef(settings.ref);
  const dispatcher = new NotificationDispatcher<PublishEvent>(
    buildNotifiers(config, settings, (await OutgoingTls.open(config, log)).dispatcher),
    { backoff: { initialMs: config.notifyBackoff, maxMs: 60_000 }, maxAttempts: config.notifyMaxAttempts },
    {
      log,
      fields: (hook, event) => ({ hook, commit: event.commit }),
      eventName: 'commit',
      onResult: (hook, result) => {
        if (result !== 'superseded')
          metrics.hookRuns.inc({ hook, result: result === 'success' ? 'success' : 'error' });
      },
    },
  );
  const reporter = new OutcomeReporter(log, metrics, ({ commit, dir }) => {
    if (commit && dir) dispatcher.notify({ commit, ref, path: dir });
  });
  const loop = new SyncLoop(
    {
      periodMs: config.period,
      syncTimeoutMs: config.syncTimeout,
      oneTime: config.oneTime,
      maxFailures: config.maxFailures,
      initMaxFailures: config.initMaxFailures,
      backoff: { initialMs: config.retryBackoff, maxMs: config.retryBackoffMax },
      initBackoff: { initialMs: config.initRetryBackoff, maxMs: config.initRetryBackoffMax },
    },
    {
      sync: (attempt) => {
        secrets.refresh();
        return syncer.sync(attempt);
      },
      report: (outcome, state) => reporter.report(outcome, state),
      onFirstSuccess: () => context.ready(),
      maintain: (stop) => removeExpiredWorktrees(retired, repository, layout.linkPath, log, stop),
      nextMaintenanceIn: () => retired.nextExpiryIn(),
    },
  );
  context.route(
    'POST',
    '/sync',
    createSyncHandler({
      token: config.syncToken,
      requestSync: () => loop.requestSync(),
      stopping: () => signal.aborted,
      metrics,
      log,
    }),
  );

  // After the route is added: the admin server is already listening, and a request must not get a 404.
  await takeOverRoot(layout, retired);
  log.info(
    { repo: redactUrlCredentials(settings.repoUrl), ref, root: layout.root, link: layout.linkPath },
    config.oneTime ? 'syncing once' : 'starting',
  );
  const finished = loop.run(signal);
  context.onShutdown('pending notifications', () => dispatcher.close());
  context.onShutdown('sync loop', () => finished);
  const code = await finished;
  // An init container's job includes telling the app; give the notifications their tries.
  if (code === 0 && config.oneTime) await dispatcher.idle();
  if (code === 1 && !config.oneTime) log.error('too many consecutive failures: giving up');
  return code;
}
