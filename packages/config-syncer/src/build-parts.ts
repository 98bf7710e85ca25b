import type { Config, Dispatcher } from '@toolkit/lifecycle';
import { CommandNotifier } from './notify/command-notifier.ts';
import { HttpNotifier } from './notify/http-notifier.ts';
import type { Notifier } from './notify/notifier.ts';
import { SignalNotifier } from './notify/signal-notifier.ts';
import { TouchNotifier } from './notify/touch-notifier.ts';
import type { options } from './options.ts';
import { type Settings, splitNotifyUrl } from './settings.ts';
import { DirectorySource } from './sources/directory-source.ts';
import type { Source } from './sources/source.ts';
import { UrlSource } from './sources/url-source.ts';

type SyncerConfig = Config<typeof options>;

export function buildSources(settings: Settings, config: SyncerConfig, dispatcher?: Dispatcher): Source[] {
  return settings.sources.map((spec) =>
    spec.kind === 'directory'
      ? new DirectorySource(spec.path, settings.accept, config.watchPolling, config.maxFileBytes)
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

/** Every way of telling the app that was asked for; all of them are used for each publish. */
export function buildNotifiers(
  settings: Settings,
  config: SyncerConfig,
  env: NodeJS.ProcessEnv,
  dispatcher?: Dispatcher,
): Notifier[] {
  const notifiers: Notifier[] = config.notifyUrl.map(
    (raw) =>
      new HttpNotifier({
        url: splitNotifyUrl(raw),
        method: config.notifyMethod,
        accept: settings.notifyStatus,
        timeoutMs: config.notifyTimeout,
        dispatcher,
      }),
  );
  if (config.notifyProcess) {
    notifiers.push(new SignalNotifier(config.notifyProcess, config.notifySignal as NodeJS.Signals));
  }
  if (config.notifyCommand)
    notifiers.push(new CommandNotifier(config.notifyCommand, config.notifyTimeout, env));
  if (config.notifyTouch) notifiers.push(new TouchNotifier(config.notifyTouch));
  return notifiers;
}
