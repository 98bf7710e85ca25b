import { runShellCommand } from '../hooks/run-shell.ts';
import type { Notifier, PublishEvent } from './notifier.ts';

/** Runs a shell command in the new worktree with the commit in $REPO_UPDATER_HASH. */
export class CommandNotifier implements Notifier {
  readonly hook = 'command';
  readonly #command: string;
  readonly #timeoutMs: number;

  constructor(command: string, timeoutMs: number) {
    this.#command = command;
    this.#timeoutMs = timeoutMs;
  }

  async send(event: PublishEvent, signal: AbortSignal): Promise<void> {
    await runShellCommand(this.#command, {
      cwd: event.path,
      env: { REPO_UPDATER_HASH: event.commit, REPO_UPDATER_REF: event.ref, REPO_UPDATER_PATH: event.path },
      timeoutMs: this.#timeoutMs,
      signal,
    });
  }
}
