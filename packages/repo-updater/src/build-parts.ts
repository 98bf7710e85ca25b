import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  CommandTarget,
  type Dispatcher,
  HttpTarget,
  type Logger,
  type NotificationTarget,
  splitUrlCredentials,
  TouchTarget,
} from '@toolkit/lifecycle';
import { buildGitEnvironment } from './git/auth.ts';
import { GitHubAppToken, gitHubAppUsername } from './git/github-app.ts';
import { Redactor } from './git/redact.ts';
import { GitRunner } from './git/runner.ts';
import { inheritedEnvironment, runHook } from './hooks/run-hook.ts';
import type { RepoUpdaterMetrics } from './metrics.ts';
import type { PublishEvent } from './notify/publish-event.ts';
import type { RepoUpdaterConfig, Settings } from './settings.ts';

/**
 * The secrets the program knows, for redaction: the sync token and the password file's content,
 * re-read before each sync so a rotated password is redacted too.
 */
export class KnownSecrets {
  readonly #token: string | undefined;
  readonly #passwordFile: string | undefined;
  #values: string[] = [];

  constructor(token: string | undefined, passwordFile: string | undefined) {
    this.#token = token;
    this.#passwordFile = passwordFile;
    this.refresh();
  }

  refresh(): void {
    const values = this.#token ? [this.#token] : [];
    if (this.#passwordFile) {
      try {
        values.push(readFileSync(this.#passwordFile, 'utf8').trim());
      } catch {
        // git will say it cannot read it; nothing to redact meanwhile.
      }
    }
    this.#values = values;
  }

  get values(): readonly string[] {
    return this.#values;
  }
}

export function buildGitRunner(
  config: RepoUpdaterConfig,
  settings: Settings,
  secrets: KnownSecrets,
  log: Logger,
  globalConfigFile?: string,
  githubAppTokenFile?: string,
) {
  const environment = buildGitEnvironment(
    {
      // A GitHub App's token is a password like any other, read by the same helper from its file.
      username: githubAppTokenFile ? gitHubAppUsername : config.username,
      passwordFile: githubAppTokenFile ?? config.passwordFile,
      sshKeyFile: config.sshKeyFile,
      sshKnownHostsFile: config.sshKnownHostsFile,
      sshSkipHostKeyCheck: config.sshSkipHostKeyCheck,
    },
    settings.gitConfig,
    settings.layout.root,
    process.env,
    globalConfigFile,
  );
  return new GitRunner(environment, new Redactor(() => secrets.values), log);
}

/** GitHub App tokens, when the app options are given, kept in `tokenFile`. */
export function buildGitHubAppToken(
  config: RepoUpdaterConfig,
  tokenFile: string,
  log: Logger,
  dispatcher?: Dispatcher,
): GitHubAppToken | undefined {
  if (!config.githubAppId || !config.githubAppInstallationId || !config.githubAppPrivateKeyFile)
    return undefined;
  return new GitHubAppToken({
    appId: config.githubAppId,
    installationId: config.githubAppInstallationId,
    privateKeyFile: config.githubAppPrivateKeyFile,
    baseUrl: config.githubBaseUrl,
    tokenFile,
    // Never let one expire during a sync: five minutes, or a whole sync timeout if longer.
    refreshMarginMs: Math.max(5 * 60_000, config.syncTimeout),
    dispatcher,
    log,
  });
}

/** The validation command as the syncer calls it, counted as the `validate` hook. */
export function buildValidator(config: RepoUpdaterConfig, metrics: RepoUpdaterMetrics) {
  const command = config.validateCommand;
  if (!command) return undefined;
  return async (dir: string, commit: string, signal: AbortSignal) => {
    try {
      await runHook(command, {
        cwd: dir,
        env: { REPO_UPDATER_HASH: commit, REPO_UPDATER_PATH: dir },
        timeoutMs: config.validateTimeout,
        signal,
      });
      metrics.hookRuns.inc({ hook: 'validate', result: 'success' });
    } catch (error) {
      if (!signal.aborted) metrics.hookRuns.inc({ hook: 'validate', result: 'error' });
      throw error;
    }
  };
}

export function buildNotifiers(
  config: RepoUpdaterConfig,
  settings: Settings,
  dispatcher?: Dispatcher,
): NotificationTarget<PublishEvent>[] {
  const targets: NotificationTarget<PublishEvent>[] = [];
  if (config.notifyUrl) {
    targets.push(
      new HttpTarget<PublishEvent>({
        label: 'http',
        // `user:password@` becomes basic auth (fetch refuses URLs that carry it).
        url: splitUrlCredentials(config.notifyUrl),
        method: config.notifyMethod,
        accept: settings.notifyStatus,
        timeoutMs: config.notifyTimeout,
        // git-sync's webhook names the commit in Gitsync-Hash: an endpoint written for it works unchanged.
        headers: (event) => ({ 'x-repo-updater-hash': event.commit, 'gitsync-hash': event.commit }),
        dispatcher,
      }),
    );
  }
  if (config.notifyCommand) {
    targets.push(
      new CommandTarget<PublishEvent>({
        command: config.notifyCommand,
        timeoutMs: config.notifyTimeout,
        // In the new worktree, with the commit in $REPO_UPDATER_HASH.
        cwd: (event) => event.path,
        env: (event) => ({
          ...inheritedEnvironment(),
          REPO_UPDATER_HASH: event.commit,
          // git-sync's exechook reads the commit from $GITSYNC_HASH: a script written for it runs unchanged.
          GITSYNC_HASH: event.commit,
          REPO_UPDATER_REF: event.ref,
          REPO_UPDATER_PATH: event.path,
        }),
      }),
    );
  }
  if (config.notifyTouchFile) {
    // The file is replaced by one holding the hash: a watcher never sees a half-written file.
    targets.push(
      new TouchTarget<PublishEvent>({
        label: 'touch',
        // Relative: under --root, as git-sync does.
        path: resolve(settings.layout.root, config.notifyTouchFile),
        content: (event) => `${event.commit}\n`,
      }),
    );
  }
  return targets;
}
