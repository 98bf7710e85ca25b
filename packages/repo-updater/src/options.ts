import { type OptionTable, outgoingTlsOptions } from '@toolkit/lifecycle';
import { submoduleModes } from './git/worktrees.ts';
import { gitSyncAlias, sameAsGitSync } from './gitsync-compat.ts';

/**
 * The option table: drives parsing, `--help`, the env names (REPO_UPDATER_*) and the docs. kubernetes/
 * git-sync v4's flags and GITSYNC_* env vars that mean the same are aliases here (gitsync-compat.ts).
 */
export const options = {
  repo: {
    type: 'string',
    required: true,
    placeholder: 'URL|PATH',
    help: 'Repository to sync: https://, ssh:// or user@host:path, file:// or a local path. Credentials in the URL are redacted from logs; prefer --password-file.',
    ...sameAsGitSync('repo'),
  },
  ref: {
    type: 'string',
    default: 'HEAD',
    help: "Branch, tag (annotated tags are peeled; a moved tag is followed) or full 40-hex commit SHA; HEAD is the remote's default branch.",
    ...sameAsGitSync('ref'),
  },
  depth: {
    type: 'integer',
    default: 1,
    min: 0,
    help: 'Commits of history to fetch; 0 fetches the whole history.',
    ...sameAsGitSync('depth'),
  },
  submodules: {
    type: 'enum',
    choices: submoduleModes,
    default: 'recursive',
    help: 'Submodules: recursive (all levels), shallow (first level only) or off. Fetched with --depth when it is not 0.',
    ...sameAsGitSync('submodules'),
  },
  allowLocalSubmodules: {
    type: 'boolean',
    help: "Let submodules be cloned from local paths or file:// URLs (protocol.file.allow=always). Off, only --repo itself may be local: a .gitmodules cannot publish another repository of this filesystem (git's default since CVE-2022-39253).",
  },
  sparsePaths: {
    type: 'list',
    placeholder: 'DIRS',
    help: 'Check out only these directories (git sparse-checkout, cone mode: top-level files are always included); empty means everything.',
  },
  filter: {
    type: 'string',
    placeholder: 'SPEC',
    help: 'Partial clone: fetch without the objects this git filter leaves out (blob:none, blob:limit=1m, tree:0, object:type=..., combine:A+B); a checkout fetches the ones it needs. The remote must allow filters (GitHub and GitLab do; plain git: uploadpack.allowFilter).',
    ...sameAsGitSync('filter'),
  },
  sparseCheckoutFile: {
    type: 'string',
    placeholder: 'PATH',
    help: 'Check out only the paths matching the patterns in this file (git sparse-checkout, non-cone: gitignore syntax, one a line, # comments), read at start-up. Not with --sparse-paths.',
    ...sameAsGitSync('sparse-checkout-file'),
  },
  root: {
    type: 'string',
    required: true,
    placeholder: 'DIR',
    help: 'Directory owned by the updater (the shared volume): holds .git, .worktrees/<sha> (and .worktrees/tree-<id> while one is being made) and the link.',
    ...sameAsGitSync('root'),
  },
  link: {
    type: 'string',
    default: 'current',
    placeholder: 'PATH',
    help: 'The symlink the app reads, relative to --root or absolute; it points at .worktrees/<sha> by a relative path, so its basename is the commit.',
    ...sameAsGitSync('link'),
  },
  period: {
    type: 'duration',
    default: '10s',
    help: 'Pause between the end of a sync and the next; 0s syncs only at start-up and on POST /sync.',
    ...sameAsGitSync('period'),
  },
  syncTimeout: {
    type: 'duration',
    default: '2m',
    help: 'Time limit of one sync, fetch to publish.',
    ...sameAsGitSync('sync-timeout'),
  },
  oneTime: {
    type: 'boolean',
    help: 'Sync once, run the notifications and exit 0 (an init container); exit 1 when --init-max-failures tries have failed (by default the first).',
    ...sameAsGitSync('one-time'),
  },
  maxFailures: {
    type: 'integer',
    default: -1,
    min: -1,
    help: 'Consecutive failed syncs, after the first success, before exiting 1; -1 never gives up (the last good tree stays published). 0 is refused: it means the first failure in git-sync and used to mean never here.',
    ...sameAsGitSync('max-failures'),
  },
  initMaxFailures: {
    type: 'integer',
    default: -1,
    min: -1,
    help: 'Failed syncs before the first success before exiting 1; -1 never gives up (the pod stays not ready), except with --one-time, where it exits on the first. 0 is refused, as for --max-failures.',
    ...sameAsGitSync('init-max-failures'),
  },
  retryBackoff: {
    type: 'duration',
    default: '2s',
    help: 'First retry delay after a failed sync; doubles on each failure, with jitter, up to --retry-backoff-max.',
  },
  retryBackoffMax: { type: 'duration', default: '2m', help: 'Longest retry delay after a failure.' },
  initRetryBackoff: {
    type: 'duration',
    default: '500ms',
    help: 'First retry delay until the first success (short, so the pod becomes ready soon).',
  },
  initRetryBackoffMax: {
    type: 'duration',
    default: '10s',
    help: 'Longest retry delay until the first success.',
  },
  worktreeGrace: {
    type: 'duration',
    default: '1m',
    help: 'How long a replaced worktree is kept untouched, so a process still inside it is not pulled from under it; then it is deleted, or kept as the spare (--reuse-worktrees).',
    ...gitSyncAlias('stale-worktree-timeout'),
  },
  reuseWorktrees: {
    type: 'boolean',
    default: true,
    help: 'Keep the most recently replaced worktree past its grace period as a spare, and bring it to the next commit in place (local edits discarded, only changed files written) instead of writing a whole new worktree. --no-reuse-worktrees deletes every replaced worktree after its grace period.',
  },
  validateCommand: {
    type: 'string',
    placeholder: 'SHELL-COMMAND',
    help: 'Run with /bin/sh in the new worktree before publishing ($REPO_UPDATER_HASH is the commit); non-zero keeps the link where it was.',
  },
  validateTimeout: { type: 'duration', default: '1m', help: 'Time limit of the validation command.' },
  syncToken: {
    type: 'secret',
    help: 'Enables POST /sync on the admin port: the token as a Bearer token or X-Gitlab-Token, or the secret of a GitHub X-Hub-Signature-256.',
  },
  username: {
    type: 'string',
    help: 'User name for https remotes (with --password-file).',
    ...sameAsGitSync('username'),
  },
  passwordFile: {
    type: 'string',
    placeholder: 'PATH',
    help: 'File holding the password or token for https remotes, read by git through a credential helper at every fetch (rotation works); never in argv or logs.',
    ...sameAsGitSync('password-file'),
  },
  githubAppId: {
    type: 'string',
    placeholder: 'ID',
    help: "GitHub App authentication for https remotes: the app's ID or client ID. With --github-app-installation-id and --github-app-private-key-file, installation tokens are made from the key and replaced before they expire, and reach git through the same credential helper as --password-file; never in argv or logs.",
    ...gitSyncAlias('github-app-application-id', 'github-app-client-id'),
  },
  githubAppInstallationId: {
    type: 'string',
    placeholder: 'ID',
    help: "The app's installation (on the account that owns --repo): its number, from the installation's settings URL.",
    ...sameAsGitSync('github-app-installation-id'),
  },
  githubAppPrivateKeyFile: {
    type: 'string',
    placeholder: 'PATH',
    help: "The app's private key (PEM, as GitHub gives it), read again at each new token.",
    ...sameAsGitSync('github-app-private-key-file'),
  },
  githubBaseUrl: {
    type: 'string',
    default: 'https://api.github.com/',
    placeholder: 'URL',
    help: "GitHub's API, where installation tokens are made: https://HOST/api/v3/ for GitHub Enterprise Server. Trusts --ca-file.",
    ...sameAsGitSync('github-base-url'),
  },
  sshKeyFile: {
    type: 'string',
    placeholder: 'PATH',
    help: 'Private key for ssh remotes (mode 0400 or 0600: ssh refuses group- or world-readable keys).',
    ...sameAsGitSync('ssh-key-file'),
  },
  sshKnownHostsFile: {
    type: 'string',
    placeholder: 'PATH',
    help: 'known_hosts for ssh remotes; hosts not in it are refused.',
    ...sameAsGitSync('ssh-known-hosts-file'),
  },
  sshSkipHostKeyCheck: {
    type: 'boolean',
    help: 'Accept any ssh host key (testing only).',
  },
  gitConfig: {
    type: 'list',
    placeholder: 'KEY=VALUE,...',
    help: 'Extra git config for every git command, e.g. http.sslCAInfo=/certs/ca.pem (passed by environment, not argv).',
    aliases: ['git-config-add'],
    envAliases: ['GITSYNC_GIT_CONFIG'],
  },
  notifyUrl: {
    type: 'string',
    placeholder: 'URL',
    help: 'After each new commit is published, send a request here: headers X-Repo-Updater-Hash and Gitsync-Hash (as git-sync sends) and a JSON body {"commit","ref","path"}.',
    ...gitSyncAlias('webhook-url'),
  },
  notifyMethod: {
    type: 'enum',
    choices: ['POST', 'PUT', 'GET'],
    default: 'POST',
    help: 'Method of --notify-url.',
    ...gitSyncAlias('webhook-method'),
  },
  notifyStatus: {
    type: 'list',
    default: ['2xx'],
    placeholder: 'CODES',
    help: 'Statuses of --notify-url that count as success: codes such as 200 or classes such as 2xx.',
    ...gitSyncAlias('webhook-success-status'),
  },
  notifyTimeout: {
    type: 'duration',
    default: '5s',
    help: 'Time limit of one notification.',
    ...gitSyncAlias('exechook-timeout', 'webhook-timeout'),
  },
  notifyCommand: {
    type: 'string',
    placeholder: 'SHELL-COMMAND',
    help: 'After each new commit is published, run with /bin/sh in the new worktree ($REPO_UPDATER_HASH, and $GITSYNC_HASH for git-sync scripts, is the commit).',
    ...gitSyncAlias('exechook-command'),
  },
  notifyTouchFile: {
    type: 'string',
    placeholder: 'PATH',
    help: 'After each new commit is published, write the commit hash to this file (created or replaced atomically); a relative path is under --root.',
    ...gitSyncAlias('touch-file'),
  },
  notifyBackoff: {
    type: 'duration',
    default: '1s',
    help: 'First delay before retrying a failed notification; doubles with jitter up to 1m. A newer commit replaces a pending retry.',
    ...gitSyncAlias('exechook-backoff', 'webhook-backoff'),
  },
  notifyMaxAttempts: {
    type: 'integer',
    default: 10,
    min: 0,
    help: 'Tries of each notification before giving up on that commit; 0 retries until success or a newer commit.',
  },
  errorFile: {
    type: 'string',
    placeholder: 'PATH',
    help: 'After a failed sync, the error as JSON {time, code, step, error, commit, failures}, replaced atomically, for the app or a probe to read; deleted after the next successful sync. A relative path is under --root.',
    ...sameAsGitSync('error-file'),
  },
  staleAfter: {
    type: 'duration',
    default: '0s',
    help: 'Set repo_updater_stale to 1 (and log a warning) when the last successful sync is older than this; 0s turns it off.',
  },
  groupWrite: {
    type: 'boolean',
    help: 'Make everything under --root group-writable (umask 002, core.sharedRepository=group), for apps running as another user of the same group.',
    ...sameAsGitSync('group-write'),
  },
  // --ca-file, --client-cert-file, --client-key-file, --insecure-skip-verify for outgoing HTTPS.
  ...outgoingTlsOptions,
} as const satisfies OptionTable;
