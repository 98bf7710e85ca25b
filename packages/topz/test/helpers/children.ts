import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * Real child processes for a test file, all killed by `killAll()` (call it in afterEach/afterAll).
 */
export class Children {
  readonly #children: ChildProcess[] = [];

  spawn(command: string, args: readonly string[] = [], options: SpawnOptions = {}): ChildProcess {
    const child = spawn(command, args, { stdio: 'ignore', ...options });
    this.#children.push(child);
    return child;
  }

  /** A node child running `code`. */
  node(code: string, options: SpawnOptions = {}): ChildProcess {
    return this.spawn(process.execPath, ['-e', code], options);
  }

  async killAll(): Promise<void> {
    const alive = this.#children.filter((child) => child.exitCode === null && child.signalCode === null);
    this.#children.length = 0;
    await Promise.all(
      alive.map((child) => {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        return exited;
      }),
    );
  }
}

/** Polls until `check` returns a value other than undefined/false, or fails after `ms`. */
export async function waitFor<T>(
  check: () => T | undefined | false,
  ms = 5000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    // A pending promise would pass as a yes at once: an async check belongs to waitUntil.
    if (value instanceof Promise) throw new Error(`waitFor(${what}): the check is async; use waitUntil`);
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms}ms waiting for ${what}`);
    await sleep(20);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until a child has exec'd `comm` (right after spawn, /proc still shows the parent's image). */
export function waitForExec(pid: number, comm: string): Promise<true> {
  return waitFor(
    () => readProc(pid, 'comm')?.trim() === comm || undefined,
    // Node's exec took over 5 s under CI's full load (group.test's restarted burner).
    20_000,
    `pid ${pid} to exec ${comm}`,
  );
}

export function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

/** A field of /proc/<pid>/status, e.g. Threads: an independent source to check topz against. */
export function statusField(pid: number, name: string): string | undefined {
  return new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(readProc(pid, 'status') ?? '')?.[1];
}

/** Nanoseconds a process has run on a CPU (/proc/<pid>/schedstat): a clock independent of topz's. */
export function runtimeNs(pid: number): number {
  return Number(readProc(pid, 'schedstat')?.split(' ')[0] ?? Number.NaN);
}

/**
 * Whether the machine has a core to spare, so a busy child really gets one. Tests that expect a busy
 * loop near 100% hold that only then; elsewhere they check topz against the kernel's own runtime.
 */
export function machineIsQuiet(): boolean {
  const load = Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  return load < availableParallelism() - 0.5;
}
