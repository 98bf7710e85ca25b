import { accessSync, constants } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import {
  badOption,
  type Config,
  parseStatusMatcher,
  type StatusMatcher,
  UsageError,
} from '@toolkit/lifecycle';
import { parseRef, type RefSpec } from './git/refs.ts';
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
  const gitConfig = config.gitConfig.map((entry): [string, string] => {
    const match = entry.match(/^([A-Za-z][\w.-]*\.[\w-]+)=(.*)$/);
    if (!match) throw badOption('gitConfig', `${JSON.stringify(entry)} is not KEY=VALUE`);
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
  if (config.syncTimeout <= 0) throw badOption('syncTimeout', 'must be more than 0s');
  return { repoUrl, repoIsLocal, ref, layout, gitConfig, notifyStatus };
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

function checkReadable(key: string, path: string): void {
  try {
    accessSync(path, constants.R_OK);
  } catch (error) {
    throw badOption(key, `cannot read ${path}: ${(error as NodeJS.ErrnoException).code}`);
  }
}
