import { spawn } from 'node:child_process';

export interface CommandOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs: number;
  /** Aborting stops the command the same way a timeout does. */
  signal?: AbortSignal;
}

export interface CommandResult {
  ok: boolean;
  exitCode: number | null;
  /** Why it failed, in words: exit code, signal, timeout, or spawn error. */
  reason: string;
  /** The end of stdout and stderr together, for the log. */
  output: string;
}

const outputLimit = 4096;
const killGraceMs = 2000;

/**
 * Runs `command` with /bin/sh in its own process group, so a timeout stops the whole pipeline it
 * started: SIGTERM to the group, SIGKILL after a grace period.
 */
export function runShellCommand(command: string, options: CommandOptions): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], {
      env: options.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-outputLimit);
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
    const onAbort = () => stop('cancelled');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();

    let done = false;
    const finish = (result: Omit<CommandResult, 'output'>) => {
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
    child.on('error', (error) => finish({ ok: false, exitCode: null, reason: error.message }));
    child.on('close', settle);
    // A background process the command left behind may hold the pipes open: do not wait on it.
    child.on('exit', (code, signal) => setTimeout(() => settle(code, signal), 500).unref());
  });
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}
