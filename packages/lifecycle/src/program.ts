import { closeServer, parseListenAddress } from './address.ts';
import { AdminRoutes } from './admin.ts';
import { UsageError } from './errors.ts';
import { Health } from './health.ts';
import { createLogger, type LogLevel } from './logger.ts';
import { createMetricsRegistry } from './metrics.ts';
import type { Config, OptionTable } from './options.ts';
import { type commonOptions, type ProgramDefinition, programOptions } from './program-definition.ts';
import { startAdminServer } from './run/admin-server.ts';
import { printUsageError, readCommandLine } from './run/cli.ts';
import { createContext } from './run/context.ts';
import { ShutdownSequence } from './run/shutdown-sequence.ts';
import { installProcessHandlers } from './run/signals.ts';
import { ShutdownHooks } from './shutdown.ts';

/**
 * Runs a program to its end: parses options (exit 2 on a usage error), starts it, and owns every
 * `process.exit`. SIGTERM/SIGINT: not ready → delay → shutdown steps in reverse → exit 0 (1 if a step
 * failed or the deadline passed). A second signal exits at once. An uncaught error shuts down with 1.
 * Each step is a module of run/; this function only puts them in order.
 */
export async function runProgram<T extends OptionTable>(
  definition: ProgramDefinition<T>,
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): Promise<never> {
  const { name, version } = definition;
  const parsed = readCommandLine(definition, programOptions(definition), argv, env);
  const config = parsed.config as unknown as Config<T & typeof commonOptions>;
  const common = parsed.config as unknown as Config<typeof commonOptions> & { adminAddr?: string };

  const log = createLogger(name, common.logLevel as LogLevel);
  for (const unknown of parsed.unknownEnv)
    log.warn({ env: unknown }, `env var ${unknown} matches no option; ignored`);
  for (const { alias, option } of parsed.aliasesUsed)
    log.warn({ alias, option }, `${alias} is read as ${option}: prefer ${option}`);
  const metrics = createMetricsRegistry(name, version);
  const health = new Health();
  const hooks = new ShutdownHooks();
  const admin = new AdminRoutes(health, metrics);
  const abort = new AbortController();
  const shutdown = new ShutdownSequence(log, health, abort, hooks, {
    delayMs: common.shutdownDelay,
    deadlineMs: common.shutdownTimeout,
    hookTimeoutMs: common.hookTimeout,
  });
  const fail = installProcessHandlers(log, shutdown);
  const context = createContext(definition, {
    config,
    log,
    metrics,
    health,
    hooks,
    admin,
    signal: abort.signal,
    fail,
  });

  try {
    if (common.adminAddr !== undefined) {
      const server = await startAdminServer(admin, parseListenAddress(common.adminAddr)!, log);
      // Registered first, so it closes last: /livez and /readyz answer for the whole shutdown.
      hooks.register('admin server', () => closeServer(server, 1000));
    }
    log.debug({ version }, 'starting');
    const finished = await definition.main(context);
    if (typeof finished === 'number') await shutdown.run('finished', finished);
  } catch (error) {
    // A setting main finds wrong (two options that do not go together) is a usage error like a bad flag.
    if (error instanceof UsageError) {
      printUsageError(name, error);
      await shutdown.run('usage error', 2);
    }
    log.fatal({ err: error }, `failed to start: ${(error as Error).message}`);
    await shutdown.run('start-up failed', 1);
  }
  // Keep running until a signal; the signal handlers call process.exit.
  return new Promise<never>(() => {});
}
