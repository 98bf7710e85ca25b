import type { ErrorCatalogue } from '@toolkit/lifecycle';

/** tls-proxy's error codes, besides lifecycle's usage errors: the README table comes from this list. */
export const errorCodes = [
  {
    code: 'UPSTREAM_TIMEOUT',
    meaning:
      'The upstream sent nothing for `--upstream-timeout`: the client gets 504 (or, if the answer had begun, its connection is closed).',
  },
] as const satisfies ErrorCatalogue;
