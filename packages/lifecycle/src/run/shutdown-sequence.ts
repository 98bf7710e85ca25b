import type { Health } from '../health.ts';
import { flushBufferedLogs, type Logger } from '../logger.ts';
import type { ShutdownHooks, ShutdownPlan } from '../shutdown.ts';

/**
 * The one way a program ends, whatever started it (a signal, main finishing, a failure): not ready →
 * abort → `--shutdown-delay` → shutdown steps last-registered first → exit with the highest of the
 * steps' code and the reason's floor. Started once; later calls do nothing.
 */
export class ShutdownSequence {
  readonly #log: Logger;
  readonly #health: Health;
  readonly #abort: AbortController;
  readonly #hooks: ShutdownHooks;
  readonly #plan: ShutdownPlan;
  #started = false;

  constructor(log: Logger, health: Health, abort: AbortController, hooks: ShutdownHooks, plan: ShutdownPlan) {
    this.#log = log;
    this.#health = health;
    this.#abort = abort;
    this.#hooks = hooks;
    this.#plan = plan;
  }

  get started(): boolean {
    return this.#started;
  }

  async run(reason: string, exitCodeFloor: number): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    const started = performance.now();
    // A program that finished by itself (a one-shot mode) keeps stderr quiet unless asked.
    const level = reason === 'finished' ? 'debug' : 'info';
    this.#log[level]({ reason }, 'shutting down');
    this.#health.markDraining();
    this.#abort.abort(new Error(reason));
    const code = await this.#hooks.run(this.#plan, this.#log);
    const exitCode = Math.max(code, exitCodeFloor);
    // Lines the steps logged through a buffered logger (an access log) come before "stopped".
    flushBufferedLogs();
    this.#log[level]({ exitCode, ms: Math.round(performance.now() - started) }, 'stopped');
    process.exit(exitCode);
  }
}
