import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SyncerProcess } from './syncer-process.ts';

export interface IdleResult {
  label: string;
  files: number;
  seconds: number;
  /** Percent of one core. */
  cpuPercent: number;
  rssMiB: number;
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line; 12 and 13 after `pid (comm)`.
  return Number(fields[11]) + Number(fields[12]);
}

function rssKiB(pid: number): number {
  const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
  return Number(match?.[1] ?? 0);
}

/** CPU and RSS of the syncer watching `files` files and doing nothing else for `seconds`. */
export async function measureIdle(
  dir: string,
  files: number,
  seconds: number,
  label: string,
  extraArgs: string[] = [],
) {
  const source = join(dir, `idle-src-${label}`);
  mkdirSync(source, { recursive: true });
  for (let i = 0; i < files; i++)
    writeFileSync(join(source, `file-${i}.yaml`), `key: ${i}\nvalue: ${'x'.repeat(200)}\n`);
  const syncer = new SyncerProcess([
    '--source',
    source,
    '--target',
    join(dir, `idle-target-${label}`),
    ...extraArgs,
  ]);
  const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  try {
    await syncer.waitReady();
    // Let start-up work (the first publish, the garbage it leaves) settle before measuring.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const startTicks = cpuTicks(syncer.pid);
    const started = performance.now();
    let maxRss = rssKiB(syncer.pid);
    while (performance.now() - started < seconds * 1000) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      maxRss = Math.max(maxRss, rssKiB(syncer.pid));
    }
    const elapsed = (performance.now() - started) / 1000;
    const cpuSeconds = (cpuTicks(syncer.pid) - startTicks) / ticksPerSecond;
    return {
      label,
      files,
      seconds: Math.round(elapsed),
      cpuPercent: (cpuSeconds / elapsed) * 100,
      rssMiB: maxRss / 1024,
    } satisfies IdleResult;
  } finally {
    await syncer.stop();
  }
}
