import { lastOutputLine, runShellCommand } from '@toolkit/lifecycle';

export interface HookRun {
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

/** How much of a hook's output is kept for the error. */
const keptOutput = 2048;

/**
 * Runs a hook (`--validate-command`) with /bin/sh in `cwd`: lifecycle's runShellCommand, which stops
 * the whole process group on timeout or abort. Resolves with the output's tail; throws
 * CommandFailedError when the command did not exit 0.
 */
export async function runHook(command: string, run: HookRun): Promise<string> {
  const result = await runShellCommand(command, {
    cwd: run.cwd,
    env: { ...inheritedEnvironment(), ...run.env },
    timeoutMs: run.timeoutMs,
    signal: run.signal,
    keepOutput: keptOutput,
  });
  if (result.ok) return result.output;
  throw new CommandFailedError(
    `command ${result.reason}: ${lastOutputLine(result.output)}`,
    result.exitCode,
    result.output,
  );
}

/** The program's environment without its own settings: the sync token is not for user commands. */
export function inheritedEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && !key.startsWith('REPO_UPDATER_')) result[key] = value;
  }
  return result;
}
