import { lastOutputLine, runShellCommand } from '../shell-command.ts';
import type { NotificationTarget } from './target.ts';

export interface CommandTargetOptions<Event> {
  /** `command` unless given. */
  label?: string | undefined;
  command: string;
  timeoutMs: number;
  /** The command's whole environment, with the event in it. */
  env(event: Event): NodeJS.ProcessEnv;
  cwd?: ((event: Event) => string) | undefined;
}

/** A shell command; exit 0 means the app was told. */
export class CommandTarget<Event> implements NotificationTarget<Event> {
  readonly label: string;
  readonly #options: CommandTargetOptions<Event>;

  constructor(options: CommandTargetOptions<Event>) {
    this.#options = options;
    this.label = options.label ?? 'command';
  }

  async send(event: Event, signal: AbortSignal): Promise<undefined> {
    const { command, timeoutMs, env, cwd } = this.#options;
    const result = await runShellCommand(command, {
      env: env(event),
      cwd: cwd?.(event),
      timeoutMs,
      signal,
    });
    if (!result.ok) throw new Error(`command ${result.reason}: ${lastOutputLine(result.output)}`);
    return undefined;
  }
}
