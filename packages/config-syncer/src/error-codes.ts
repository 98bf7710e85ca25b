import type { ErrorCatalogue } from '@toolkit/lifecycle';

/** config-syncer's error codes, besides lifecycle's usage errors: the README table comes from this list. */
export const errorCodes = [
  {
    code: 'SOURCE_PENDING',
    meaning:
      'A URL source has not been fetched yet: the sync waits for it (and /readyz says so) instead of counting an error.',
  },
] as const satisfies ErrorCatalogue;
