import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { closeServer, listen, parseListenAddress } from './address.ts';
import { AdminRoutes, type RouteHandler, sendText } from './admin.ts';
import { UsageError } from './errors.ts';
import { Health } from './health.ts';
import { createLogger, type LogLevel, logLevels } from './logger.ts';
import { createMetricsRegistry } from './metrics.ts';
import { type Config, formatHelp, type OptionTable, parseOptions } from './options.ts';
import { describeMetrics, type EndpointDoc, formatReferenceHelp } from './reference.ts';
import { ShutdownHooks } from './shutdown.ts';

/** Options every program has, added to its own table. */
export const commonOptions = {
  logLevel: {
    type: 'enum',
    choices: logLevels,
    default: 'info',
    help: 'Least severe log level written (JSON lines on stderr).',
  },
  shutdownDelay: {
    type: 'duration',
    default: '0s',
    help: 'After SIGTERM, how long to stay up not-ready before closing, so load balancers stop sending first.',
  },
  shutdownTimeout: {
    type: 'duration',
    default: '25s',
    help: 'Overall deadline for a graceful shutdown (keep it under the pod grace period, 30s by default); past it the process exits 1.',
  },
  hookTimeout: {
    type: 'duration',
    default: '10s',
    help: 'Timeout of each shutdown step that does not set its own.',
  },
} as const satisfies OptionTable;

const adminAddressOption = {
  type: 'address',
  default: '0.0.0.0:9090',
  help: 'Address of the admin server: /livez, /readyz, /metrics.',
} as const;

export interface ProgramContext<C> {
  readonly program: string;
  readonly version: string;
  readonly config: C;
  readonly log: Logger;
  readonly metrics: Registry;
  readonly health: Health;
  /** Aborted when shutdown begins: long-running loops should stop taking new work. */
  readonly signal: AbortSignal;
  /** Marks the program ready: /readyz answers 200 from now until shutdown. */
  ready(): void;
  /** Registers a shutdown step; steps run last-registered first. */
  onShutdown(name: string, run: () => unknown, timeoutMs?: number): void;
  /** Adds a route to the admin server (for example `POST /sync`); 405 for other methods on its path. */
  route(method: string, path: string, handler: RouteHandler): void;
  /**
   * A failure the program cannot go on from, found outside any handler (a worker thread stopping):
   * logged as fatal, then the same graceful shutdown as a signal, exiting 1.
   */
  fail(reason: string, error: unknown): void;
  /** Serves /livez, /readyz, /metrics and the added routes on a program's own server; false for other paths. */
  handleAdmin(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

export interface ProgramDefinition<T extends OptionTable> {
  name: string;
  version: string;
  summary: string;
  usage?: string;
  options: T;
  /**
   * The HTTP endpoints the program serves besides /livez, /readyz and /metrics: `--help`, the README
   * and the checks come from this list, and `route` refuses a path that is not in it.
   */
  endpoints: readonly EndpointDoc[];
  /**
   * Registers the program's own metrics on a registry: the function its main calls, so `--help` and the
   * README list what the program really serves.
   */
  metrics(registry: Registry): unknown;
  /**
   * `own`: the program serves the admin routes on its own server (it calls `handleAdmin`).
   * `separate` (default): lifecycle adds `--admin-addr` and serves them itself.
   */
  admin?: 'own' | 'separate';
  /**
   * Starts the program. Resolve with nothing to keep running until a signal; resolve with a number to
   * finish now (shutdown steps run, then the process exits with that code).
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a main that keeps running returns nothing at all.
  main(context: ProgramContext<Config<T & typeof commonOptions>>): Promise<number | void>;
}

/** The whole option table of a program, common options included: drives parsing, --help and docs. */
export function programOptions<T extends OptionTable>(definition: ProgramDefinition<T>): OptionTable {
  return {
    ...definition.options,
    ...(definition.admin === 'own' ? {} : { adminAddr: adminAddressOption }),
    ...commonOptions,
  };
}

function exitCodeForSignal(signal: NodeJS.Signals): number {
  return 128 + (signal === 'SIGINT' ? 2 : 15);
}

/**
 * Runs a program to its end: parses options (exit 2 on a usage error), starts it, and owns every
 * `process.exit`. SIGTERM/SIGINT: not ready → delay → shutdown steps in reverse → exit 0 (1 if a step
 * failed or the deadline passed). A second signal exits at once. An uncaught error shuts down with 1.
 */
export async function runProgram<T extends OptionTable>(
  definition: ProgramDefinition<T>,
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): Promise<never> {
  const { name, version } = definition;
  const table = programOptions(definition);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(
      `${formatHelp(name, definition.summary, definition.usage ?? `${name} [options]`, table)}\n${formatReferenceHelp(
        definition.endpoints,
        describeMetrics((registry) => definition.metrics(registry)),
      )}`,
    );
    process.exit(0);
  }
  if (argv.includes('--version')) {
    process.stdout.write(`${name} ${version}\n`);
    process.exit(0);
  }

  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(name, table, argv, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${name}: ${error.message}\nRun '${name} --help' for the options.\n`);
    process.exit(2);
  }
  const config = parsed.config as unknown as Config<T & typeof commonOptions>;
  const common = parsed.config as unknown as Config<typeof commonOptions> & { adminAddr?: string };
  const adminAddress = common.adminAddr === undefined ? undefined : parseListenAddress(common.adminAddr);

  const log = createLogger(name, common.logLevel as LogLevel);
  for (const unknown of parsed.unknownEnv)
    log.warn({ env: unknown }, `env var ${unknown} matches no option; ignored`);
  const metrics = createMetricsRegistry(name, version);
  const health = new Health();
  const hooks = new ShutdownHooks();
  const admin = new AdminRoutes(health, metrics);
  const abort = new AbortController();
  let shuttingDown = false;

  const shutdown = async (reason: string, exitCodeFloor: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    const started = performance.now();
    // A program that finished by itself (a one-shot mode) keeps stderr quiet unless asked.
    const level = reason === 'finished' ? 'debug' : 'info';
    log[level]({ reason }, 'shutting down');
    health.markDraining();
    abort.abort(new Error(reason));
    const code = await hooks.run(
      {
        delayMs: common.shutdownDelay,
        deadlineMs: common.shutdownTimeout,
        hookTimeoutMs: common.hookTimeout,
      },
      log,
    );
    const exitCode = Math.max(code, exitCodeFloor);
    log[level]({ exitCode, ms: Math.round(performance.now() - started) }, 'stopped');
    process.exit(exitCode);
  };

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (shuttingDown) {
        log.warn({ signal }, 'second signal: exiting now');
        process.exit(exitCodeForSignal(signal));
      }
      void shutdown(signal, 0);
    });
  }
  // A reader that goes away (`topz --once | head`) is not a crash: stop writing and finish normally.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    log.debug('stdout closed by its reader');
    void shutdown('stdout closed', 0);
  });
  const fail = (reason: string, error: unknown) => {
    log.fatal({ err: error }, reason);
    if (shuttingDown) process.exit(1);
    void shutdown(reason, 1);
  };
  process.on('uncaughtException', (error) => fail('uncaught exception', error));
  process.on('unhandledRejection', (error) => fail('unhandled rejection', error));

  const context: ProgramContext<typeof config> = {
    program: name,
    version,
    config,
    log,
    metrics,
    health,
    signal: abort.signal,
    ready: () => {
      if (!health.ready && !health.draining) log.info('ready');
      health.markReady();
    },
    onShutdown: (hookName, run, timeoutMs) => hooks.register(hookName, run, timeoutMs),
    fail,
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

  try {
    if (adminAddress) {
      const server = createServer((req, res) => {
        admin
          .handle(req, res)
          .then((handled) => handled || sendText(res, 404, 'not found\n'))
          .catch((error) => {
            log.error({ err: error }, 'admin request failed');
            if (!res.headersSent) sendText(res, 500, 'internal error\n');
          });
      });
      // Longer than the usual client idle timeouts, so a webhook sender or scraper reusing a connection
      // does not race the server closing it (Node's default is 5 s).
      server.keepAliveTimeout = 65_000;
      const bound = await listen(server, adminAddress);
      log.info({ address: `${bound.address}:${bound.port}` }, 'admin server listening');
      // Registered first, so it closes last: /livez and /readyz answer for the whole shutdown.
      hooks.register('admin server', () => closeServer(server, 1000));
    }
    log.debug({ version }, 'starting');
    const finished = await definition.main(context);
    if (typeof finished === 'number') {
      await shutdown('finished', finished);
    }
  } catch (error) {
    // A setting main finds wrong (two options that do not go together) is a usage error like a bad flag.
    if (error instanceof UsageError) {
      process.stderr.write(`${name}: ${error.message}\nRun '${name} --help' for the options.\n`);
      await shutdown('usage error', 2);
    }
    log.fatal({ err: error }, `failed to start: ${(error as Error).message}`);
    await shutdown('start-up failed', 1);
  }
  // Keep running until a signal; the signal handlers call process.exit.
  return new Promise<never>(() => {});
}
