import type { Registry } from 'prom-client';
import type { AdminRoutes } from '../admin.ts';
import type { Health } from '../health.ts';
import type { Logger } from '../logger.ts';
import type { OptionTable } from '../options.ts';
import type { ProgramContext, ProgramDefinition } from '../program-definition.ts';
import type { ShutdownHooks } from '../shutdown.ts';

export interface ContextParts<C> {
  config: C;
  log: Logger;
  metrics: Registry;
  health: Health;
  hooks: ShutdownHooks;
  admin: AdminRoutes;
  signal: AbortSignal;
  fail: (reason: string, error: unknown) => void;
}

/** What main is handed: the parts, and the few actions a program takes on the lifecycle. */
export function createContext<T extends OptionTable, C>(
  definition: ProgramDefinition<T>,
  parts: ContextParts<C>,
): ProgramContext<C> {
  const { log, health, hooks, admin } = parts;
  return {
    program: definition.name,
    version: definition.version,
    config: parts.config,
    log,
    metrics: parts.metrics,
    health,
    signal: parts.signal,
    ready: () => {
      if (!health.ready && !health.draining) log.info('ready');
      health.markReady();
    },
    onShutdown: (hookName, run, timeoutMs) => hooks.register(hookName, run, timeoutMs),
    fail: parts.fail,
    route: (method, path, handler) => {
      if (!definition.endpoints.some((e) => e.method === method.toUpperCase() && e.path === path)) {
        throw new Error(
          `${method} ${path} is not in the program's endpoints: declare it there (docs come from it)`,
        );
      }
      admin.add(method, path, handler);
    },
    handleAdmin: (req, res) => admin.handle(req, res),
  };
}
