/**
 * Error codes are listed once, with what they mean to a user: the program's code throws errors that
 * carry one (`error.code`, the `code` field of a log line), the README table is generated from the
 * lists, and a test fails when a thrown code is in none of them (fastify's lib/errors.js is the model).
 */
export interface ErrorCode {
  readonly code: string;
  /** What happened and what the program does about it, for the README. */
  readonly meaning: string;
}

export type ErrorCatalogue = readonly ErrorCode[];

/** The codes of one catalogue, as a string union. */
export type CodeOf<C extends ErrorCatalogue> = C[number]['code'];

/** Codes every program shares: usage errors, printed as `program: message` before exit 2. */
export const lifecycleErrorCodes = [
  { code: 'UNKNOWN_OPTION', meaning: 'A flag the program does not have. Exit 2.' },
  {
    code: 'REFUSED_OPTION',
    meaning:
      "Another tool's flag or env var (such as git-sync's) that means something else here, or is not supported; the message says why and what to use. Exit 2.",
  },
  {
    code: 'BAD_VALUE',
    meaning:
      'A flag or env value of the wrong form, a file option naming an unreadable file, or options that do not go together; the message names the option. Exit 2.',
  },
  {
    code: 'MISSING_OPTION',
    meaning:
      'A required option is missing, or one needs another (`--client-cert-file` without `--client-key-file`). Exit 2.',
  },
  {
    code: 'UNEXPECTED_ARGUMENT',
    meaning: 'A bare argument where only `--name value` options are taken. Exit 2.',
  },
  { code: 'BAD_ARGUMENTS', meaning: 'The command line could not be read at all. Exit 2.' },
] as const satisfies ErrorCatalogue;

/** The README table: one row per code, programs in the order given. */
export function formatErrorTable(catalogues: readonly { program: string; codes: ErrorCatalogue }[]): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = catalogues.flatMap(({ program, codes }) =>
    codes.map((entry) => `| ${program} | \`${entry.code}\` | ${cell(entry.meaning)} |`),
  );
  return ['| program | code | meaning |', '|---|---|---|', ...rows].join('\n');
}
