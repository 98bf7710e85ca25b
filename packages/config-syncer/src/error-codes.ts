import type { ErrorCatalogue } from '@toolkit/lifecycle';

/** config-syncer's error codes, besides lifecycle's usage errors: the README table comes from this list. */
export const errorCodes = [
  {
    code: 'SOURCE_PENDING',
    meaning:
      'A URL source has not been fetched yet: the sync waits for it (and /readyz says so) instead of counting an error.',
  },
  {
    code: 'CHOWN_NOT_PERMITTED',
    meaning:
      '--file-owner is set but the process cannot give files that owner (not root, no CAP_CHOWN): found at start by chowning a scratch file in the target; exit 1 before anything is published.',
  },
] as const satisfies ErrorCatalogue;
