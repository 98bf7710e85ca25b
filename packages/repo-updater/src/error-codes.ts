import type { ErrorCatalogue } from '@toolkit/lifecycle';

/**
 * repo-updater's error codes, besides lifecycle's usage errors: the `code` of a failed sync's log line
 * and of the errors behind it. The README table comes from this list.
 */
export const errorCodes = [
  {
    code: 'FETCH_FAILED',
    meaning:
      'git could not fetch the ref from `--repo` (network, auth, missing ref); the next sync tries again, with backoff.',
  },
  {
    code: 'CREDENTIALS_FAILED',
    meaning:
      'No GitHub App installation token could be made (the key, the IDs, `--github-base-url` or the network); nothing is fetched, the next sync tries again.',
  },
  {
    code: 'CHECKOUT_FAILED',
    meaning:
      'The fetched commit could not be checked out into a new worktree; the partial worktree is deleted and the next sync tries again.',
  },
  { code: 'NO_SPACE', meaning: 'The disk under `--root` is full; the published tree stays as it was.' },
  {
    code: 'VALIDATION_FAILED',
    meaning: 'The `--validate-command` refused the new tree: it is not published.',
  },
  { code: 'PUBLISH_FAILED', meaning: 'The `current` link could not be switched to the new tree.' },
  {
    code: 'TIMEOUT',
    meaning: 'A sync ran longer than `--sync-timeout`; it is stopped and its partial worktree removed.',
  },
  { code: 'ABORTED', meaning: 'A sync stopped by shutdown; not an error (logged as "sync stopped").' },
  { code: 'GIT_FAILED', meaning: 'A git command exited non-zero; its redacted output is in the message.' },
  { code: 'GIT_ABORTED', meaning: 'A git command was interrupted by the sync timeout or shutdown.' },
  {
    code: 'COMMAND_FAILED',
    meaning:
      'A `--notify-command` or `--validate-command` exited non-zero, was killed or timed out; the log has its last lines.',
  },
] as const satisfies ErrorCatalogue;
