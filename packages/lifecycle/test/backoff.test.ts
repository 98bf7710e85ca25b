import { describe, expect, it } from 'vitest';
import { computeBackoff, longestTimer, sleep } from '../src/index.ts';

describe('computeBackoff', () => {
  it('doubles from the first delay up to the cap, with at most half of it random', () => {
    const policy = { initialMs: 1000, maxMs: 10_000 };
    expect([1, 2, 3, 4, 5, 50].map((n) => computeBackoff(policy, n, () => 0))).toEqual([
      500, 1000, 2000, 4000, 5000, 5000,
    ]);
    expect([1, 2, 3].map((n) => computeBackoff(policy, n, () => 1))).toEqual([1000, 2000, 4000]);
  });

  it('doubles up to the cap with equal jitter', () => {
    const policy = { initialMs: 100, maxMs: 1000 };
    expect([1, 2, 3, 4, 5].map((n) => computeBackoff(policy, n, () => 0))).toEqual([50, 100, 200, 400, 500]);
    expect(computeBackoff(policy, 9, () => 1)).toBe(1000);
  });

  it('treats zero failures like the first and stays at the cap however many fail', () => {
    const policy = { initialMs: 100, maxMs: 1000 };
    expect(computeBackoff(policy, 0, () => 0)).toBe(50);
    expect(computeBackoff(policy, 10_000, () => 1)).toBe(1000);
    expect(computeBackoff({ initialMs: 1, maxMs: Number.MAX_VALUE }, 10_000, () => 1)).toBe(2 ** 30);
  });

  it('keeps the jitter between half the step and the step, in whole milliseconds', () => {
    const policy = { initialMs: 333, maxMs: 10_000 };
    for (const random of [0, 0.1, 0.25, 0.5, 0.77, 0.999]) {
      const delay = computeBackoff(policy, 3, () => random);
      expect(Number.isInteger(delay)).toBe(true);
      expect(delay).toBeGreaterThanOrEqual(666);
      expect(delay).toBeLessThanOrEqual(1332);
      expect(delay).toBe(Math.round(666 + random * 666));
    }
  });
});

describe('sleep', () => {
  it('resolves true once the time has elapsed', async () => {
    const started = performance.now();
    expect(await sleep(30, new AbortController().signal)).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    expect(await sleep(-5)).toBe(true);
  });

  it('resolves false at once when a signal is already aborted', async () => {
    const started = performance.now();
    expect(await sleep(60_000, new AbortController().signal, AbortSignal.abort())).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('resolves false as soon as any signal aborts', async () => {
    const first = new AbortController();
    const second = new AbortController();
    const started = performance.now();
    const sleeping = sleep(60_000, first.signal, second.signal);
    setTimeout(() => second.abort(), 10);
    expect(await sleeping).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('clamps waits beyond what setTimeout takes instead of firing at once', async () => {
    const stop = new AbortController();
    let settled: boolean | undefined;
    const sleeping = sleep(longestTimer * 4, stop.signal).then((elapsed) => {
      settled = elapsed;
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(settled).toBeUndefined();
    stop.abort();
    await sleeping;
    expect(settled).toBe(false);
  });
});
