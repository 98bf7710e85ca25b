import type { ErrorCatalogue } from '@toolkit/lifecycle';

/** log-forwarder's error codes, besides lifecycle's usage errors: the README table comes from this list. */
export const errorCodes = [
  {
    code: 'BAD_POSITIONS_FILE',
    meaning:
      'The `--positions-file` cannot be parsed: it is set aside as `<file>.bad-<time>` and the run starts as a first one.',
  },
] as const satisfies ErrorCatalogue;
