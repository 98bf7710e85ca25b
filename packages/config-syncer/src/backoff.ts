/** How long to wait between tries: doubling from `initialMs`, never above `maxMs`. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

/**
 * Delay before try number `failures + 1`. Equal jitter: half of the delay is fixed, half random, so
 * many pods retrying the same server spread out, yet no retry comes sooner than half the step.
 */
export function computeBackoff(policy: BackoffPolicy, failures: number, random = Math.random): number {
  const step = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, failures - 1));
  return step / 2 + (random() * step) / 2;
}

/** Waits `ms`; resolves false at once if the signal aborts first, so loops can end without throwing. */
export function waitFor(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
