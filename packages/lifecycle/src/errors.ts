import type { CodeOf, lifecycleErrorCodes } from './error-catalogue.ts';

/** Codes a user can see on a usage error (each listed with its meaning in the catalogue); each exits 2. */
export type UsageErrorCode = CodeOf<typeof lifecycleErrorCodes>;

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
