import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { RouteHandler } from './admin.ts';
import type { Health } from './health.ts';
import { logLevels } from './logger.ts';
import type { Config, OptionTable, RefusedOption } from './options.ts';
import type { EndpointDoc } from './reference.ts';

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
  /** Flags (and env vars) refused with a reason before parsing: another tool's spelling that means something else here. */
  refusedOptions?: readonly RefusedOption[];
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
