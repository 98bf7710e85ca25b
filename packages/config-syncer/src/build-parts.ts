import {
  CommandTarget,
  type Config,
  type Dispatcher,
  HttpTarget,
  type NotificationTarget,
  TouchTarget,
} from '@toolkit/lifecycle';
import type { ChangeEvent } from './notify/change-event.ts';
import { type ConfirmMode, type ConfirmReporting, ReloadConfirmer } from './notify/confirm-reload.ts';
import { SignalTarget } from './notify/signal-target.ts';
import type { options } from './options.ts';
import { type Settings, splitNotifyUrl } from './settings.ts';
import { DirectorySource } from './sources/directory-source.ts';
import type { Source } from './sources/source.ts';
import { UrlSource } from './sources/url-source.ts';

type SyncerConfig = Config<typeof options>;

export function buildSources(settings: Settings, config: SyncerConfig, dispatcher?: Dispatcher): Source[] {
  return settings.sources.map((spec) =>
    spec.kind === 'directory'
      ? new DirectorySource(spec.path, {
          accept: settings.accept,
          acceptDirectory: settings.acceptDirectory,
          polling: config.watchPolling,
          maxFileBytes: config.maxFileBytes,
        })
      : new UrlSource({
          name: spec.name,
          url: spec.url,
          intervalMs: config.pollInterval,
          timeoutMs: config.sourceTimeout,
          backoffMaxMs: config.sourceBackoffMax,
          token: config.sourceToken,
          maxFileBytes: config.maxFileBytes,
          dispatcher,
        }),
  );
}

/** `--confirm-url`, when given: polls the app after each publish. */
export function buildConfirmer(
  settings: Settings,
  config: SyncerConfig,
  reporting: ConfirmReporting,
  dispatcher?: Dispatcher,
): ReloadConfirmer | undefined {
  if (!settings.confirmUrl) return undefined;
  const options = {
    url: settings.confirmUrl,
    mode: config.confirmBy as ConfirmMode,
    timeoutMs: config.confirmTimeout,
    intervalMs: config.confirmInterval,
    dispatcher,
  };
  return new ReloadConfirmer(options, reporting);
}

/** Every way of telling the app that was asked for; all of them are used for each publish. */
export function buildNotifiers(
  settings: Settings,
  config: SyncerConfig,
  env: NodeJS.ProcessEnv,
  dispatcher?: Dispatcher,
): NotificationTarget<ChangeEvent>[] {
  const targets: NotificationTarget<ChangeEvent>[] = config.notifyUrl.map(
    (raw) =>
      new HttpTarget<ChangeEvent>({
        url: splitNotifyUrl(raw),
        method: config.notifyMethod,
        accept: settings.notifyStatus,
        timeoutMs: config.notifyTimeout,
        headers: (event) => ({ 'x-config-revision': event.revision }),
        dispatcher,
      }),
  );
  if (config.notifyProcess) {
    targets.push(new SignalTarget(config.notifyProcess, config.notifySignal as NodeJS.Signals));
  }
  if (config.notifyCommand) {
    targets.push(
      new CommandTarget<ChangeEvent>({
        command: config.notifyCommand,
        timeoutMs: config.notifyTimeout,
        env: (event) => ({
          ...env,
          CONFIG_REVISION: event.revision,
          CHANGED_FILES: event.changed.join(' '),
          REMOVED_FILES: event.removed.join(' '),
          TARGET_DIR: event.targetDir,
        }),
      }),
    );
  }
  if (config.notifyTouch) targets.push(new TouchTarget({ path: config.notifyTouch }));
  return targets;
}
