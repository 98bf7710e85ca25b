import { spawn } from 'node:child_process';

export interface ShellRun {
  cwd: string;
  /** Added to the environment of the program, minus the program's own settings. */
  env: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/** A shell command that exited non-zero, was killed, or ran out of time; `output` is its last lines. */
export class CommandFailedError extends Error {
  override name = 'CommandFailedError';
  readonly code = 'COMMAND_FAILED';
  readonly exitCode: number | null;
  readonly output: string;
  constructor(message: string, exitCode: number | null, output: string) {
    super(message);
    this.exitCode = exitCode;
    this.output = output;
  }
}

const keptOutput = 2048;
const killGraceMs = 2000;

/**
 * Runs `/bin/sh -c command` in its own process group, so a timeout or shutdown stops the whole
 * pipeline (SIGTERM, then SIGKILL after 2 s), not just the shell. Resolves with the output's tail.
 */
export function runShellCommand(command: string, run: ShellRun): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], {
      cwd: run.cwd,
      env: { ...inheritedEnvironment(), ...run.env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-keptOutput);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    let stopReason: string | undefined;
    const stop = (reason: string) => {
      if (stopReason || child.exitCode !== null) return;
      stopReason = reason;
      signalGroup(child.pid, 'SIGTERM');
      setTimeout(() => signalGroup(child.pid, 'SIGKILL'), killGraceMs).unref();
    };
    const timer = setTimeout(() => stop(`timed out after ${run.timeoutMs}ms`), run.timeoutMs);
    const onAbort = () => stop('stopped: shutting down or sync timed out');
    run.signal?.addEventListener('abort', onAbort, { once: true });
    if (run.signal?.aborted) onAbort();
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new CommandFailedError(`cannot run ${command}: ${error.message}`, null, output));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      run.signal?.removeEventListener('abort', onAbort);
      if (code === 0 && !stopReason) return resolve(output);
      const why = stopReason ?? (signal ? `killed by ${signal}` : `exited with ${code}`);
      reject(new CommandFailedError(`command ${why}: ${lastLine(output)}`, code, output));
    });
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

/** The program's environment without its own settings: the sync token is not for user commands. */
export function inheritedEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && !key.startsWith('REPO_UPDATER_')) result[key] = value;
  }
  return result;
}

function lastLine(output: string): string {
  return output.trim().split('\n').at(-1)?.slice(0, 300) ?? '';
}
