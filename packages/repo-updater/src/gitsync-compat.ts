import type { OptionTable, RefusedOption } from '@toolkit/lifecycle';

/**
 * Every flag of kubernetes/git-sync v4 (its --help order, then the v3 names it still takes), and what
 * repo-updater does with it. Flags with the same meaning are aliases in the option table (options.ts:
 * `aliases`, `envAliases`); `note` says what still differs. The others are `refused`: given as a flag or
 * as their GITSYNC_* env var, they stop the program with the reason (exit 2) rather than be ignored or
 * read with another meaning. The README's migration table is made from this list.
 */
export interface GitSyncFlag {
  flag: string;
  /** For an alias: what differs, if anything. */
  note?: string;
  /** Not taken: why, and what to use instead. */
  refused?: string;
  /** Only an env var in git-sync (a secret): GITSYNC_<FLAG> is the name, there is no flag. */
  envOnly?: boolean;
}

const failuresNote =
  "-1 never gives up and N ≥ 1 exits 1 after N consecutive failures, as in git-sync; **0 is refused**: git-sync's 0 exits on the first failure, repo-updater's used to mean never";

export const gitSyncFlags: readonly GitSyncFlag[] = [
  { flag: 'verbose', refused: 'use --log-level (debug, info, warn, error)' },
  { flag: 'repo' },
  { flag: 'ref' },
  { flag: 'depth' },
  { flag: 'filter', note: 'checked to be a git filter spec first' },
  { flag: 'submodules' },
  { flag: 'sparse-checkout-file', note: 'read at start-up' },
  { flag: 'root' },
  {
    flag: 'link',
    note: "default `current` (git-sync's: the last path element of --repo); a relative path is under --root, as in git-sync",
  },
  {
    flag: 'error-file',
    note: 'JSON with `code`, `step`, `error`, `commit` and `failures` (git-sync: `msg`, `err`, `ts`); a relative path is under --root, as in git-sync',
  },
  {
    flag: 'init-period',
    refused:
      'before the first success a failed sync is retried after --init-retry-backoff (500ms), doubling up to --init-retry-backoff-max (10s)',
  },
  {
    flag: 'period',
    note: 'the pause after a success; a failed sync is retried with backoff (--retry-backoff), not after --period',
  },
  { flag: 'sync-timeout' },
  { flag: 'one-time' },
  { flag: 'sync-on-signal', refused: 'ask for a sync with POST /sync on --admin-addr (needs --sync-token)' },
  {
    flag: 'max-failures',
    note: `${failuresNote}; counts only after the first success (before it: --init-max-failures)`,
  },
  {
    flag: 'init-max-failures',
    note: `${failuresNote}; default -1, where git-sync falls back to --max-failures; with --one-time, -1 exits on the first failure`,
  },
  {
    flag: 'touch-file',
    note: 'the file is replaced with the new commit hash after each new commit; a relative path is under --root, as in git-sync',
  },
  {
    flag: 'add-user',
    refused: 'repo-updater does not write /etc/passwd: run it as a user that has an entry, as the image does',
  },
  { flag: 'group-write' },
  {
    flag: 'stale-worktree-timeout',
    note: 'default 1m (git-sync: 0s); after it the newest replaced tree is kept as a spare unless --no-reuse-worktrees',
  },
  {
    flag: 'exechook-command',
    note: 'the commit is in $REPO_UPDATER_HASH and, for git-sync scripts, $GITSYNC_HASH; cwd is the new worktree, as in git-sync',
  },
  { flag: 'exechook-timeout', note: 'one timeout for every notification (default 5s; git-sync: 30s)' },
  { flag: 'exechook-backoff', note: 'the first retry delay, doubling up to 1m (git-sync: a fixed 3s)' },
  {
    flag: 'pre-publish-exechook-command',
    refused:
      'git-sync runs it without holding publishing back; use --validate-command, which runs in the new tree before publishing and keeps the link where it was when it fails',
  },
  {
    flag: 'pre-publish-exechook-timeout',
    refused: 'see --pre-publish-exechook-command; use --validate-timeout',
  },
  { flag: 'pre-publish-exechook-backoff', refused: 'see --pre-publish-exechook-command' },
  {
    flag: 'webhook-url',
    note: 'the commit is in the header Gitsync-Hash, as git-sync sends it, and in X-Repo-Updater-Hash; the body is JSON {"commit","ref","path"} (git-sync: empty)',
  },
  { flag: 'webhook-method', note: 'POST, PUT or GET' },
  {
    flag: 'webhook-success-status',
    note: "codes or classes such as 2xx (default 2xx; git-sync: 200); git-sync's 0, no check, is not taken",
  },
  { flag: 'webhook-timeout', note: 'one timeout for every notification (default 5s; git-sync: 1s)' },
  { flag: 'webhook-backoff', note: 'the first retry delay, doubling up to 1m (git-sync: a fixed 3s)' },
  { flag: 'username' },
  {
    flag: 'password',
    envOnly: true,
    refused: 'a password in the environment can be read from /proc; put it in a file for --password-file',
  },
  { flag: 'password-file' },
  {
    flag: 'credential',
    refused: 'one repository per instance: use --username and --password-file, or the GitHub App options',
  },
  { flag: 'ssh-key-file', note: 'one key, no default path (git-sync: /etc/git-secret/ssh, repeatable)' },
  {
    flag: 'ssh-known-hosts',
    refused:
      'host keys are always checked against --ssh-known-hosts-file; --ssh-skip-host-key-check turns the check off',
  },
  { flag: 'ssh-known-hosts-file', note: 'no default path (git-sync: /etc/git-secret/known_hosts)' },
  { flag: 'cookie-file', refused: 'use --git-config http.cookieFile=PATH' },
  {
    flag: 'askpass-url',
    refused: 'use --password-file (read at every fetch, so a rotated token works) or the GitHub App options',
  },
  { flag: 'github-base-url' },
  {
    flag: 'github-app-private-key',
    envOnly: true,
    refused: 'a key in the environment can be read from /proc; use --github-app-private-key-file',
  },
  { flag: 'github-app-private-key-file' },
  { flag: 'github-app-client-id', note: 'the JWT issuer, as is the app ID: give one of them' },
  { flag: 'github-app-application-id' },
  { flag: 'github-app-installation-id' },
  { flag: 'git', refused: 'git is found on PATH' },
  {
    flag: 'git-config',
    note: "KEY=VALUE or git-sync's KEY:VALUE, comma-separated; git-sync's quoted keys and values are not taken",
  },
  { flag: 'git-config-add', note: 'the same option as --git-config (repeatable)' },
  {
    flag: 'git-gc',
    refused:
      'repo-updater runs `git gc --auto` after syncs, within the sync timeout; other modes are not offered',
  },
  {
    flag: 'http-bind',
    refused:
      'health, metrics and POST /sync are served on --admin-addr; probes use /readyz (git-sync: /), which also goes not-ready on shutdown',
  },
  { flag: 'http-metrics', refused: 'metrics are always served at /metrics on --admin-addr' },
  { flag: 'http-pprof', refused: 'not offered' },
  { flag: 'man', refused: 'see --help and the README' },
  // git-sync v3 names, which v4 still takes.
  { flag: 'branch', refused: 'a git-sync v3 name: use --ref' },
  { flag: 'rev', refused: 'a git-sync v3 name: use --ref' },
  { flag: 'dest', refused: 'a git-sync v3 name: use --link' },
  { flag: 'wait', refused: 'a git-sync v3 name: use --period' },
  { flag: 'timeout', refused: 'a git-sync v3 name: use --sync-timeout' },
  { flag: 'max-sync-failures', refused: 'a git-sync v3 name: use --max-failures' },
  { flag: 'sync-hook-command', refused: 'a git-sync v3 name: use --exechook-command' },
  { flag: 'change-permissions', refused: 'a git-sync v3 name, not offered: use --group-write' },
  { flag: 'ssh', refused: 'a git-sync v3 name: ssh is used for ssh:// and user@host:path URLs' },
];

/** git-sync's env var for a flag: GITSYNC_ and the flag in upper case. */
export function gitSyncEnv(flag: string): string {
  return `GITSYNC_${flag.replace(/-/g, '_').toUpperCase()}`;
}

/** An option whose git-sync flag has the same name: its GITSYNC_* env var is the alias. */
export function sameAsGitSync(flag: string) {
  return { envAliases: [gitSyncEnv(flag)] };
}

/** An option git-sync spells differently: its flags and their GITSYNC_* env vars are aliases. */
export function gitSyncAlias(...flags: string[]) {
  return { aliases: flags, envAliases: flags.map(gitSyncEnv) };
}

/** The refused git-sync flags, as lifecycle refuses them before parsing. */
export const gitSyncRefusedOptions: readonly RefusedOption[] = gitSyncFlags
  .filter((entry) => entry.refused !== undefined)
  .map((entry) => ({
    flag: entry.flag,
    env: [gitSyncEnv(entry.flag)],
    reason: entry.refused!,
  }));

/** The option of `table` that reads a git-sync flag: its own name is the flag, or the flag is an alias. */
export function optionForGitSyncFlag(table: OptionTable, flag: string): string | undefined {
  const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  return Object.entries(table).find(
    ([key, spec]) =>
      (kebab(key) === flag && spec.envAliases?.includes(gitSyncEnv(flag))) || spec.aliases?.includes(flag),
  )?.[0];
}

/** The README's migration table: each git-sync v4 flag, and ours or why not. */
export function formatGitSyncTable(table: OptionTable): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = gitSyncFlags.map((entry) => {
    const theirs = entry.envOnly ? `\`${gitSyncEnv(entry.flag)}\`` : `\`--${entry.flag}\``;
    if (entry.refused !== undefined) return `| ${theirs} | not supported | ${cell(entry.refused)} |`;
    const key = optionForGitSyncFlag(table, entry.flag);
    const ours = key ? `\`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}\`` : '?';
    return `| ${theirs} | ${ours} | ${cell(entry.note ?? 'same')} |`;
  });
  return ['| git-sync v4 | repo-updater | difference |', '|---|---|---|', ...rows].join('\n');
}
