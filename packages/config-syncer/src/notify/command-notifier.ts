import { runShellCommand } from '../run-command.ts';
import type { ChangeEvent, Notifier } from './notifier.ts';

/** A shell command (exit 0 = the app was told), with the change in CONFIG_REVISION, CHANGED_FILES... */
export class CommandNotifier implements Notifier {
  readonly label = 'command';
  readonly #command: string;
  readonly #timeoutMs: number;
  readonly #env: NodeJS.ProcessEnv;

  constructor(command: string, timeoutMs: number, env: NodeJS.ProcessEnv) {
    this.#command = command;
    this.#timeoutMs = timeoutMs;
    this.#env = env;
  }

  async send(event: ChangeEvent, signal: AbortSignal): Promise<undefined> {
    const result = await runShellCommand(this.#command, {
      env: {
        ...this.#env,
        CONFIG_REVISION: event.revision,
        CHANGED_FILES: event.changed.join(' '),
        REMOVED_FILES: event.removed.join(' '),
        TARGET_DIR: event.targetDir,
      },
      timeoutMs: this.#timeoutMs,
      signal,
    });
    if (!result.ok)
      throw new Error(`${result.reason}${result.output ? `: ${result.output.slice(-500)}` : ''}`);
  }
}
