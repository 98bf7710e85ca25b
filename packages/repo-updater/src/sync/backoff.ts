/** How long to wait between failed tries: doubling from `initialMs`, never above `maxMs`. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

/**
 * The delay after `failures` consecutive failures (1 for the first). Equal jitter: half the step is
 * fixed, half random, so replicas retrying the same remote spread out yet none retries sooner than
 * half the step.
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

/** setTimeout refuses delays over 2^31-1 ms (about 24.8 days); a longer wait is that long, repeatedly. */
export const longestTimer = 2 ** 31 - 1;

/**
 * Resolves after `ms`, or as soon as one of the signals aborts, whichever comes first. Never rejects,
 * so a loop can simply look at its signals afterwards.
 */
export function sleep(ms: number, ...signals: AbortSignal[]): Promise<void> {
  if (signals.some((signal) => signal.aborted)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      for (const signal of signals) signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.min(Math.max(0, ms), longestTimer));
    for (const signal of signals) signal.addEventListener('abort', done, { once: true });
  });
}
