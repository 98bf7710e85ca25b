/** Polls `check` until it returns true; bounded in time so a broken build fails instead of hanging. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  ms = 15_000,
  what = 'condition',
): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${ms}ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Polls `check` until it returns true, for as long as `progress()` keeps changing: gives up once it has
 * stood still for `quietMs`, or after `maxMs` in all. For work whose speed depends on the machine's load
 * (a backlog of lines being forwarded): a stuck program fails fast, a slow one is given its time.
 */
export async function waitWhileProgressing(
  check: () => boolean,
  progress: () => number,
  { quietMs = 10_000, maxMs = 120_000, what = 'condition' } = {},
): Promise<void> {
  const started = performance.now();
  let last = progress();
  let lastChange = started;
  while (!check()) {
    const now = performance.now();
    const current = progress();
    if (current !== last) {
      last = current;
      lastChange = now;
    } else if (now - lastChange > quietMs) {
      throw new Error(`no progress for ${quietMs}ms waiting for ${what} (at ${current})`);
    }
    if (now - started > maxMs) throw new Error(`timed out after ${maxMs}ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Polls `probe` until it returns something other than undefined, and returns that. A probe that throws
 * (the service is not listening yet) is tried again; the last error is in the timeout's message.
 */
export async function waitForValue<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  { ms = 15_000, what = 'a value', intervalMs = 100 } = {},
): Promise<T> {
  const deadline = performance.now() + ms;
  let lastError: unknown;
  while (performance.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const cause = lastError ? ` (last: ${(lastError as Error).message})` : '';
  throw new Error(`timed out after ${ms}ms waiting for ${what}${cause}`);
}
