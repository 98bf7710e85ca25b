/** Why a sync failed, stable for logs and alerts. */
export type SyncErrorCode =
  | 'FETCH_FAILED'
  | 'CREDENTIALS_FAILED'
  | 'CHECKOUT_FAILED'
  | 'NO_SPACE'
  | 'VALIDATION_FAILED'
  | 'PUBLISH_FAILED'
  | 'TIMEOUT'
  | 'ABORTED';

export type SyncStep = 'prepare' | 'fetch' | 'checkout' | 'validate' | 'publish';

/** A failed sync: the step it failed in and a redacted message; becomes log fields as it is. */
export class SyncError extends Error {
  override name = 'SyncError';
  readonly code: SyncErrorCode;
  readonly step: SyncStep;
  readonly commit: string | undefined;
  constructor(code: SyncErrorCode, step: SyncStep, message: string, commit?: string) {
    super(message);
    this.code = code;
    this.step = step;
    this.commit = commit;
  }

  /** The fields a log line carries. */
  toLog(): Record<string, unknown> {
    return { code: this.code, step: this.step, commit: this.commit, error: this.message };
  }
}

/**
 * Turns whatever a step threw into a SyncError. An aborted signal wins (its reason says whether it was
 * the sync timeout or shutdown); a full disk is told apart from other checkout failures, since it needs
 * someone to act, not a retry.
 */
export function toSyncError(error: unknown, step: SyncStep, signal: AbortSignal, commit?: string): SyncError {
  if (error instanceof SyncError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (signal.aborted) {
    const timedOut = signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError';
    return new SyncError(
      timedOut ? 'TIMEOUT' : 'ABORTED',
      step,
      timedOut ? `sync timed out during ${step}` : `sync stopped during ${step}: shutting down`,
      commit,
    );
  }
  if (/No space left on device|ENOSPC|Disk quota exceeded|EDQUOT/i.test(message)) {
    return new SyncError('NO_SPACE', step, `no space left on device: ${firstLine(message)}`, commit);
  }
  const code = step === 'fetch' ? 'FETCH_FAILED' : step === 'publish' ? 'PUBLISH_FAILED' : 'CHECKOUT_FAILED';
  return new SyncError(code, step, firstLine(message), commit);
}

function firstLine(message: string): string {
  const lines = message
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  // git prints hints after the cause; the fatal/error line is the one worth reading.
  return (lines.find((line) => /^(fatal|error):/.test(line)) ?? lines[0] ?? 'unknown error').slice(0, 500);
}
