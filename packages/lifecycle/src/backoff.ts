/** How long to wait between failed tries: doubling from `initialMs`, never above `maxMs`. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

/**
 * The delay after `failures` consecutive failures (1 for the first), in whole milliseconds. Equal
 * jitter: half the step is fixed, half random, so replicas retrying the same remote spread out yet
 * none retries sooner than half the step.
 */
export function computeBackoff(
  policy: BackoffPolicy,
  failures: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(30, Math.max(0, failures - 1));
  const step = Math.min(policy.maxMs, policy.initialMs * 2 ** exponent);
  return Math.round(step / 2 + (random() * step) / 2);
}

/** setTimeout refuses delays over 2^31-1 ms (about 24.8 days); a longer wait is clamped to that. */
export const longestTimer = 2 ** 31 - 1;

/**
 * Waits `ms`, or until one of the signals aborts, whichever comes first. Resolves true when the time
 * elapsed and false when a signal aborted (at once if one already has); never rejects, so a loop can
 * end without throwing.
 */
export function sleep(ms: number, ...signals: AbortSignal[]): Promise<boolean> {
  if (signals.some((signal) => signal.aborted)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const finish = (elapsed: boolean) => {
      clearTimeout(timer);
      for (const signal of signals) signal.removeEventListener('abort', onAbort);
      resolve(elapsed);
    };
    const onAbort = () => finish(false);
    const timer = setTimeout(() => finish(true), Math.min(Math.max(0, ms), longestTimer));
    for (const signal of signals) signal.addEventListener('abort', onAbort, { once: true });
  });
}
