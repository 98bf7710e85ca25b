import { readlinkSync } from 'node:fs';
import { basename } from 'node:path';

export function time(work: () => unknown): number {
  const started = performance.now();
  work();
  return performance.now() - started;
}

export async function timeAsync(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/** Polls the link every 2 ms until its basename is `commit`; at most 30 s. */
export async function waitForLink(link: string, commit: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      if (basename(readlinkSync(link)) === commit) return;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`link never reached ${commit}`);
}

export interface Row {
  label: string;
  median: number;
  p90: number;
  max: number;
}

export function summarise(label: string, samples: number[]): Row {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  // The median as before (the upper one of an even count); p90 by nearest rank, so that with 10
  // samples it is the 9th, not the maximum again.
  return {
    label,
    median: sorted[Math.floor(n / 2)]!,
    p90: sorted[Math.ceil(0.9 * n) - 1]!,
    max: sorted[n - 1]!,
  };
}
