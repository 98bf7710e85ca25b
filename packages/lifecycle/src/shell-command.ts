import { spawn } from 'node:child_process';

export interface ShellCommandOptions {
  /** The command's whole environment. */
  env: NodeJS.ProcessEnv;
  cwd?: string | undefined;
  timeoutMs: number;
  /** Aborting stops the command the way a timeout does. */
  signal?: AbortSignal | undefined;
  /** How much of the end of stdout and stderr together is kept, in characters (4096). */
  keepOutput?: number | undefined;
}

export interface ShellCommandResult {
  ok: boolean;
  exitCode: number | null;
  /** Why it failed, in words: exit code, signal, timeout, cancellation, or spawn error. */
  reason: string;
  /** The end of stdout and stderr together, trimmed, for the log. */
  output: string;
}

const killGraceMs = 2000;
/** How long the output may go on after the shell has exited, before it is no longer waited for. */
const drainAfterExitMs = 500;

/**
 * Runs `command` with /bin/sh in its own process group, so a timeout or an abort stops the whole
 * pipeline it started: SIGTERM to the group, SIGKILL after 2 s. Never rejects: the result says how it
 * ended. A background process the command leaves behind (`cmd &`) may hold the pipes open; the result
 * comes 500 ms after the shell exits regardless (tini, as PID 1, reaps that process later).
 */
export function runShellCommand(command: string, options: ShellCommandOptions): Promise<ShellCommandResult> {
  const keepOutput = options.keepOutput ?? 4096;
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], {
      env: options.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-keepOutput);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);

    let stopReason: string | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (reason: string) => {
      if (stopReason || child.exitCode !== null) return;
      stopReason = reason;
      signalGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), killGraceMs);
    };
    const timer = setTimeout(() => stop(`timed out after ${options.timeoutMs}ms`), options.timeoutMs);
    const onAbort = () => stop(describeAbort(options.signal?.reason));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();

    let done = false;
    const finish = (result: Omit<ShellCommandResult, 'output'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({ ...result, output: output.trim() });
    };
    const settle = (code: number | null, signal: NodeJS.Signals | null) => {
      if (stopReason) finish({ ok: false, exitCode: code, reason: stopReason });
      else if (code === 0) finish({ ok: true, exitCode: 0, reason: 'exit code 0' });
      else
        finish({ ok: false, exitCode: code, reason: signal ? `killed by ${signal}` : `exit code ${code}` });
    };
    child.on('error', (error) =>
      finish({ ok: false, exitCode: null, reason: `cannot run /bin/sh: ${error.message}` }),
    );
    child.on('close', settle);
    child.on('exit', (code, signal) => setTimeout(() => settle(code, signal), drainAfterExitMs).unref());
  });
}

function describeAbort(reason: unknown): string {
  const message = reason instanceof Error ? reason.message : undefined;
  return message ? `cancelled: ${message}` : 'cancelled';
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** The end of a command's output in one line, for an error message. */
export function lastOutputLine(output: string): string {
  return output.trim().split('\n').at(-1)?.slice(0, 300) ?? '';
}
