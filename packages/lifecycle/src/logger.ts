import { type Logger, pino } from 'pino';

export type { Logger };
export const logLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

/** Where lines go: a file descriptor, or anything with `write(line)` (a test collecting lines). */
export type LogDestination = number | { write(line: string): void };

/**
 * JSON lines on stderr, written synchronously so the last line before `process.exit` is never lost
 * (and no worker-thread transport, which does not survive single-file bundling).
 */
export function createLogger(program: string, level: LogLevel, destination: LogDestination = 2): Logger {
  return pino(
    {
      level,
      base: { program },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    typeof destination === 'number' ? pino.destination({ fd: destination, sync: true }) : destination,
  );
}
