import type { NotificationTarget } from '@toolkit/lifecycle';
import { listProcesses, selectByName } from './find-process.ts';

/**
 * Sends a signal (SIGHUP for nginx, Prometheus, HAProxy...) to the app found by name in the shared PID
 * namespace (`shareProcessNamespace: true`). Needs the app's uid or CAP_KILL.
 */
export class SignalTarget implements NotificationTarget<unknown> {
  readonly label: string;
  readonly #processName: string;
  readonly #signal: NodeJS.Signals;
  readonly #procDir: string;

  constructor(processName: string, signal: NodeJS.Signals, procDir = '/proc') {
    this.#processName = processName;
    this.#signal = signal;
    this.#procDir = procDir;
    this.label = `signal:${signal}:${processName}`;
  }

  async send(): Promise<Record<string, unknown>> {
    const targets = selectByName(await listProcesses(this.#procDir), this.#processName, process.pid);
    if (targets.length === 0) {
      throw new Error(
        `no process named ${JSON.stringify(this.#processName)} (is the PID namespace shared with the app?)`,
      );
    }
    for (const target of targets) {
      try {
        process.kill(target.pid, this.#signal);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const hint = code === 'EPERM' ? ': run as the app’s uid or add CAP_KILL' : '';
        throw new Error(`cannot send ${this.#signal} to pid ${target.pid}: ${code}${hint}`);
      }
    }
    return { pids: targets.map((target) => target.pid) };
  }
}
