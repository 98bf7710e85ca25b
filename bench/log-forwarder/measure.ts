import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { CountingSink } from './counting-sink.ts';

export interface Measured {
  /** From start to the last expected line received. */
  seconds: number;
  received: number;
  cpuSeconds: number;
  peakRssMiB: number;
  exitCode: number | undefined;
}

/** Peak resident memory (VmHWM) of a live process, in MiB. */
function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** User plus system CPU time of a live process, in seconds (Linux clock ticks are 1/100 s). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Runs a shipper until the sink has `expected` lines (or the time is up), reads its peak memory and
 * CPU time while it is still alive, then stops it with SIGTERM and waits for it (bounded).
 */
export async function runMeasured(
  argv: string[],
  sink: CountingSink,
  expected: number,
  timeoutMs: number,
): Promise<Measured> {
  const started = performance.now();
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const done = await sink.waitFor(expected, timeoutMs, () => gone);
  const seconds = (sink.lastAt - started) / 1000;
  let cpu = 0;
  let rss = 0;
  if (!gone) {
    cpu = cpuSeconds(child.pid!);
    rss = peakRssMiB(child.pid!);
  }
  if (!done) console.error(`${argv.join(' ')}: only ${sink.count} of ${expected} lines arrived\n${stderr}`);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await exited;
  clearTimeout(timer);
  return { seconds, received: sink.count, cpuSeconds: cpu, peakRssMiB: rss, exitCode: code ?? undefined };
}
