/** Codes a user can see on a usage error; each exits 2. */
export type UsageErrorCode =
  | 'UNKNOWN_OPTION'
  | 'BAD_VALUE'
  | 'MISSING_OPTION'
  | 'UNEXPECTED_ARGUMENT'
  | 'BAD_ARGUMENTS';

/** A bad flag, env value or missing option: the program prints the message and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly code: UsageErrorCode;
  readonly option: string | undefined;
  constructor(code: UsageErrorCode, message: string, option?: string) {
    super(message);
    this.code = code;
    this.option = option;
  }
}
