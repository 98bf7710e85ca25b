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

export function summarise(label: string, samples: number[]): { label: string; median: number; p90: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { label, median: at(0.5), p90: at(0.9) };
}
