import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Child } from '@toolkit/test-helpers';

export { adminUrl } from '@toolkit/test-helpers';

export const mainFile = join(import.meta.dirname, '..', '..', 'src', 'main.ts');
export const writerFile = join(import.meta.dirname, '..', 'fixtures', 'write-lines.ts');
export const copytruncateFile = join(import.meta.dirname, '..', 'fixtures', 'copytruncate.ts');

/** The forwarder as a real process (from source, or the bundle), with a free admin port. */
export function startForwarder(
  args: string[],
  options: { file?: string; env?: Record<string, string> } = {},
): Child {
  return new Child(
    options.file ?? mainFile,
    ['--admin-addr', '127.0.0.1:0', '--log-level', 'debug', ...args],
    options.env,
  );
}

export async function waitReady(child: Child): Promise<void> {
  await child.waitForLog((l) => l.msg === 'ready', 15_000);
}

/** One metric's value from /metrics (the sum over its label sets). */
export async function readMetric(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`))
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** Resident memory of a process, in MiB. */
export function residentMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Runs the writer fixture to its end; resolves with how many lines it wrote. */
export async function runWriter(args: string[]): Promise<{ written: number; rotations: number; ms: number }> {
  const writer = new Child(writerFile, args);
  const code = await writer.exitCode(60_000);
  if (code !== 0) throw new Error(`writer failed (${code}): ${writer.stderr}`);
  return JSON.parse(writer.stdout);
}
