import type { Logger } from 'pino';

export interface ShutdownHook {
  name: string;
  run: () => unknown;
  timeoutMs: number | undefined;
}

export interface ShutdownPlan {
  /** Wait after readiness turns false, so load balancers stop sending before anything closes. */
  delayMs: number;
  /** Overall deadline from the first signal; past it the process exits 1. */
  deadlineMs: number;
  /** Timeout of a hook that did not set its own. */
  hookTimeoutMs: number;
}

/**
 * Runs shutdown hooks last-registered first, each under its own timeout; a failing or slow hook is
 * logged and the next still runs. Resolves with the exit code: 0 when every hook finished, 1 when one
 * failed or the overall deadline passed (the log names the hook that was running).
 */
export class ShutdownHooks {
  readonly #hooks: ShutdownHook[] = [];
  #running: string | undefined;

  register(name: string, run: () => unknown, timeoutMs?: number): void {
    this.#hooks.push({ name, run, timeoutMs });
  }

  /** The hook running now, if any. */
  get running(): string | undefined {
    return this.#running;
  }

  async run(plan: ShutdownPlan, log: Logger): Promise<number> {
    let deadlineTimer: NodeJS.Timeout | undefined;
    const deadline = new Promise<number>((resolve) => {
      deadlineTimer = setTimeout(() => {
        log.error(
          { hook: this.#running ?? null, deadlineMs: plan.deadlineMs },
          this.#running
            ? `shutdown deadline exceeded while hook "${this.#running}" was running`
            : 'shutdown deadline exceeded',
        );
        resolve(1);
      }, plan.deadlineMs);
    });
    try {
      return await Promise.race([this.#runAll(plan, log), deadline]);
    } finally {
      clearTimeout(deadlineTimer);
    }
  }

  async #runAll(plan: ShutdownPlan, log: Logger): Promise<number> {
    if (plan.delayMs > 0) {
      log.info({ delayMs: plan.delayMs }, 'waiting before closing');
      await new Promise((resolve) => setTimeout(resolve, plan.delayMs));
    }
    let exitCode = 0;
    for (const hook of [...this.#hooks].reverse()) {
      this.#running = hook.name;
      const timeoutMs = hook.timeoutMs ?? plan.hookTimeoutMs;
      const started = performance.now();
      try {
        await withTimeout(Promise.resolve().then(hook.run), timeoutMs, hook.name);
        log.debug({ hook: hook.name, ms: Math.round(performance.now() - started) }, 'shutdown hook done');
      } catch (error) {
        exitCode = 1;
        log.error({ hook: hook.name, err: error }, `shutdown hook "${hook.name}" failed`);
      }
    }
    this.#running = undefined;
    return exitCode;
  }
}

function withTimeout<T>(work: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hook "${name}" timed out after ${ms}ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
