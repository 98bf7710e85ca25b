import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { stopProcess } from './stop-process.ts';
import { waitWhileProgressing } from './wait-until.ts';

/** How long after its exit a child's output may still be arriving, at the most. */
const closeWaitMs = 2_000;

/** A real child process with its stdout, stderr and JSON log lines collected as they arrive. */
export class Child {
  readonly process: ChildProcess;
  stdout = '';
  stderr = '';
  /** Resolves once the process has exited and its stdout and stderr have ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #listeners: (() => void)[] = [];

  constructor(file: string, args: string[] = [], env: Record<string, string> = {}) {
    this.process = spawn(process.execPath, [file, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.process.stdout!.on('data', (chunk) => {
      this.stdout += chunk;
      this.#notify();
    });
    this.process.stderr!.on('data', (chunk) => {
      this.stderr += chunk;
      this.#notify();
    });
    this.exited = new Promise((resolve) => {
      // 'close' comes after 'exit' once stdout and stderr have ended: a test that awaits the exit sees
      // all the output ('exit' can come while the last of it is still in the pipe). A grandchild that
      // holds the pipes open would keep 'close' away: then the exit counts, a moment later.
      let fallback: NodeJS.Timeout | undefined;
      this.process.once('exit', (code, signal) => {
        fallback = setTimeout(() => resolve({ code, signal }), closeWaitMs);
      });
      this.process.once('close', (code, signal) => {
        clearTimeout(fallback);
        resolve({ code, signal });
      });
    });
  }

  #notify() {
    for (const listener of this.#listeners) listener();
  }

  /** JSON log lines on stderr, parsed; other lines are skipped. */
  get logs(): Record<string, unknown>[] {
    return this.stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
  }

  /** Resolves with the first log line that matches, or rejects after `ms`. */
  waitForLog(
    match: (line: Record<string, unknown>) => boolean,
    ms = 10_000,
  ): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.logs.find(match);
        if (!found) return false;
        clearTimeout(timer);
        this.#listeners = this.#listeners.filter((l) => l !== listener);
        resolve(found);
        return true;
      };
      const listener = () => void check();
      const timer = setTimeout(() => {
        this.#listeners = this.#listeners.filter((l) => l !== listener);
        reject(new Error(`no matching log line within ${ms}ms; stderr:\n${this.stderr}`));
      }, ms);
      if (!check()) this.#listeners.push(listener);
    });
  }

  /**
   * Like `waitForLog`, bounded by progress instead of a fixed time: waits while the process uses CPU
   * or writes output, gives up once it has done neither for `quietMs` (or has exited), or after `maxMs`
   * in all. For a program starting on a loaded machine: a slow start gets its time, a stuck one fails.
   */
  async waitForLogWhileProgressing(
    match: (line: Record<string, unknown>) => boolean,
    { quietMs = 10_000, maxMs = 60_000 } = {},
  ): Promise<Record<string, unknown>> {
    let found: Record<string, unknown> | undefined;
    const ended = () => this.process.exitCode !== null || this.process.signalCode !== null;
    try {
      await waitWhileProgressing(
        () => {
          found = this.logs.find(match);
          return found !== undefined || ended();
        },
        () => this.cpuTicks() + this.stdout.length + this.stderr.length,
        { quietMs, maxMs, what: 'a matching log line' },
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}; stderr:\n${this.stderr}`);
    }
    if (found) return found;
    // Exited: its last output may still be on the way.
    await this.exited;
    found = this.logs.find(match);
    if (found) return found;
    throw new Error(`exited with no matching log line; stderr:\n${this.stderr}`);
  }

  /**
   * CPU time the process and its ended children have used (user + system, in clock ticks, from /proc);
   * 0 once it is gone.
   */
  cpuTicks(): number {
    try {
      const stat = readFileSync(`/proc/${this.process.pid}/stat`, 'utf8');
      // After the command name in parentheses: state is field 0, then utime, stime, cutime, cstime at 11-14.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return fields.slice(11, 15).reduce((sum, field) => sum + Number(field), 0);
    } catch {
      return 0;
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`; resolves once it has. */
  stop(graceMs = 10_000): Promise<void> {
    return stopProcess(this.process, graceMs);
  }

  /**
   * Exit code, once the process has exited and its stdout and stderr have ended; rejects if it has not
   * exited within `ms` (and kills it).
   */
  async exitCode(ms = 10_000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.process.kill('SIGKILL');
        reject(new Error(`process still running after ${ms}ms; stderr:\n${this.stderr}`));
      }, ms);
    });
    try {
      return (await Promise.race([this.exited, timeout])).code;
    } finally {
      clearTimeout(timer);
    }
  }
}
