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
