import { createPrivateKey } from 'node:crypto';
import { accessSync, constants, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import {
  badOption,
  type Config,
  parseStatusMatcher,
  type StatusMatcher,
  UsageError,
} from '@toolkit/lifecycle';
import { parseRef, type RefSpec } from './git/refs.ts';
import { promisorRemote } from './git/repository.ts';
import { checkLinkPlacement, createLayout, type Layout } from './layout.ts';
import type { options } from './options.ts';

export type RepoUpdaterConfig = Config<typeof options>;

/** What the flags say, checked and put in the shape the parts take. */
export interface Settings {
  /** As git takes it: a URL, `user@host:path` or an absolute path. */
  repoUrl: string;
  /** A path or file:// URL: its directory is trusted as a safe.directory. */
  repoIsLocal: boolean;
  ref: RefSpec;
  layout: Layout;
  gitConfig: [string, string][];
  notifyStatus: StatusMatcher;
  /** From --sparse-checkout-file: non-cone patterns; empty for none. */
  sparsePatterns: string[];
  /** --error-file, resolved under the root. */
  errorFile: string | undefined;
}

/** Checks what the option table cannot express; throws UsageError (exit 2) naming the option. */
export function deriveSettings(config: RepoUpdaterConfig): Settings {
  const repo = config.repo.trim();
  if (repo.startsWith('-')) throw badOption('repo', `${JSON.stringify(repo)} is not a repository`);
  const isUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(repo);
  const isScpLike = !isUrl && /^[^/]+:/.test(repo);
  const repoIsLocal = repo.startsWith('file://') || (!isUrl && !isScpLike);
  const repoUrl = isUrl || isScpLike ? repo : resolve(repo);

  const ref = parseRef(config.ref);
  if (!ref) throw badOption('ref', `${JSON.stringify(config.ref)} is not a branch, tag or full commit SHA`);

  const layout = createLayout(config.root, config.link);
  const linkProblem = checkLinkPlacement(layout);
  if (linkProblem) throw badOption('link', linkProblem);

  for (const path of config.sparsePaths) {
    if (isAbsolute(path) || path.split('/').includes('..')) {
      throw badOption('sparsePaths', `${JSON.stringify(path)} must be a directory inside the repository`);
    }
  }
  // KEY=VALUE, or git-sync's KEY:VALUE (a key has neither character, so the first one splits).
  const gitConfig = config.gitConfig.map((entry): [string, string] => {
    const match = entry.match(/^([A-Za-z][\w.-]*\.[\w-]+)[=:](.*)$/);
    if (!match) throw badOption('gitConfig', `${JSON.stringify(entry)} is not KEY=VALUE or KEY:VALUE`);
    return [match[1]!, match[2]!];
  });
  // First, so --git-config can still say otherwise.
  gitConfig.unshift(fileProtocolConfig(config.allowLocalSubmodules));
  if (config.groupWrite) gitConfig.unshift(['core.sharedRepository', 'group']);

  for (const key of ['passwordFile', 'sshKeyFile', 'sshKnownHostsFile'] as const) {
    const path = config[key];
    if (path !== undefined) checkReadable(key, path);
  }
  if (config.passwordFile && !config.username && !/^[a-z]+:\/\/[^/@]+@/i.test(repoUrl)) {
    throw new UsageError(
      'MISSING_OPTION',
      '--password-file needs --username (or a user name in the --repo URL)',
      'username',
    );
  }
  checkGitHubApp(config);
  if (config.sshKeyFile && !config.sshKnownHostsFile && !config.sshSkipHostKeyCheck) {
    throw new UsageError(
      'MISSING_OPTION',
      '--ssh-key-file needs --ssh-known-hosts-file (or --ssh-skip-host-key-check)',
      'sshKnownHostsFile',
    );
  }
  if (config.notifyUrl !== undefined && !URL.canParse(config.notifyUrl)) {
    throw badOption('notifyUrl', `${JSON.stringify(config.notifyUrl)} is not a URL`);
  }
  const notifyStatus = parseStatusMatcher(config.notifyStatus);
  if (!notifyStatus) throw badOption('notifyStatus', 'expected codes such as 200 or classes such as 2xx');
  for (const key of ['maxFailures', 'initMaxFailures'] as const) {
    if (config[key] === 0) {
      const flag = key === 'maxFailures' ? '--max-failures' : '--init-max-failures';
      throw badOption(
        key,
        `0 is ambiguous: git-sync exits on the first failure, repo-updater used to retry forever; say ${flag} 1 to exit on the first failure or ${flag} -1 to never give up`,
      );
    }
  }
  if (config.syncTimeout <= 0) throw badOption('syncTimeout', 'must be more than 0s');
  if (config.filter !== undefined) {
    if (!isFilterSpec(config.filter)) {
      throw badOption(
        'filter',
        `${JSON.stringify(config.filter)} is not a git filter spec such as blob:none, blob:limit=1m, tree:0 or object:type=blob`,
      );
    }
    // After --git-config: the promisor remote must be this one, whatever else is configured.
    gitConfig.push(...partialCloneConfig(repoUrl, config.filter));
  }
  const sparsePatterns = readSparsePatterns(config);
  const errorFile = config.errorFile === undefined ? undefined : resolve(layout.root, config.errorFile);
  return { repoUrl, repoIsLocal, ref, layout, gitConfig, notifyStatus, sparsePatterns, errorFile };
}

/**
 * `protocol.file.allow`: `user` (git's default since CVE-2022-39253, pinned for older gits) lets the
 * commands this program runs fetch a local --repo, while a submodule's path or file:// URL is refused
 * (git marks those clones as not from the user), so a branch cannot publish another repository of this
 * filesystem; `always` with --allow-local-submodules.
 */
export function fileProtocolConfig(allowLocalSubmodules: boolean): [string, string] {
  return ['protocol.file.allow', allowLocalSubmodules ? 'always' : 'user'];
}

/** The promisor remote of a partial clone, passed to every git command by environment, never written. */
export function partialCloneConfig(repoUrl: string, filter: string): [string, string][] {
  return [
    [`remote.${promisorRemote}.url`, repoUrl],
    [`remote.${promisorRemote}.promisor`, 'true'],
    [`remote.${promisorRemote}.partialclonefilter`, filter],
  ];
}

/** git's `--filter` forms (git rev-list --filter), `combine:` of them joined with `+`. */
export function isFilterSpec(spec: string): boolean {
  const single =
    /^(blob:none|blob:limit=\d+[kmg]?|tree:\d+|object:type=(blob|tree|commit|tag)|sparse:oid=[\w./:^~{}-]+)$/;
  if (spec.startsWith('combine:')) {
    const parts = spec.slice('combine:'.length).split('+');
    return parts.length >= 2 && parts.every((part) => single.test(decodeURIComponentSafe(part)));
  }
  return single.test(spec);
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The patterns of --sparse-checkout-file: blank lines and # comments dropped; none is an error. */
function readSparsePatterns(config: RepoUpdaterConfig): string[] {
  const file = config.sparseCheckoutFile;
  if (file === undefined) return [];
  if (config.sparsePaths.length > 0) {
    throw new UsageError(
      'BAD_VALUE',
      '--sparse-checkout-file and --sparse-paths cannot go together: give one of them',
      'sparseCheckoutFile',
    );
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw badOption('sparseCheckoutFile', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code}`);
  }
  const patterns = text
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => line.trim() !== '' && !line.startsWith('#'));
  if (patterns.length === 0) {
    throw badOption('sparseCheckoutFile', `${file} has no patterns (it would check out nothing)`);
  }
  return patterns;
}

/** The three GitHub App options go together, with an https remote and no other password. */
function checkGitHubApp(config: RepoUpdaterConfig): void {
  const given = [config.githubAppId, config.githubAppInstallationId, config.githubAppPrivateKeyFile];
  if (given.every((value) => value === undefined)) return;
  if (given.some((value) => value === undefined)) {
    throw new UsageError(
      'BAD_VALUE',
      'GitHub App authentication needs all of --github-app-id, --github-app-installation-id and --github-app-private-key-file',
      'githubAppId',
    );
  }
  if (!/^\d+$/.test(config.githubAppInstallationId!)) {
    throw badOption(
      'githubAppInstallationId',
      `${JSON.stringify(config.githubAppInstallationId)} is not a number`,
    );
  }
  if (config.passwordFile) {
    throw new UsageError(
      'BAD_VALUE',
      '--password-file and GitHub App authentication cannot go together: give one of them',
      'passwordFile',
    );
  }
  if (!/^https?:\/\//.test(config.githubBaseUrl) || !URL.canParse(config.githubBaseUrl)) {
    throw badOption('githubBaseUrl', `${JSON.stringify(config.githubBaseUrl)} is not an http(s) URL`);
  }
  const keyFile = config.githubAppPrivateKeyFile!;
  checkReadable('githubAppPrivateKeyFile', keyFile);
  try {
    const key = createPrivateKey(readFileSync(keyFile));
    if (key.asymmetricKeyType !== 'rsa') throw new Error(`a ${key.asymmetricKeyType} key, not RSA`);
  } catch (error) {
    throw badOption(
      'githubAppPrivateKeyFile',
      `${keyFile} is not an RSA private key in PEM: ${(error as Error).message}`,
    );
  }
}

function checkReadable(key: string, path: string): void {
  try {
    accessSync(path, constants.R_OK);
  } catch (error) {
    throw badOption(key, `cannot read ${path}: ${(error as NodeJS.ErrnoException).code}`);
  }
}
