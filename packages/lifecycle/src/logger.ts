import { type Logger, pino } from 'pino';

export type { Logger };
export const logLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

/** Where lines go: a file descriptor, or anything with `write(line)` (a test collecting lines). */
export type LogDestination = number | { write(line: string): void };

export interface LoggerOptions {
  /**
   * Lines gathered and written together (at 8 KiB, or 250 ms after the first) instead of one write
   * each: for a log of every request. Whatever is gathered is written synchronously when the process
   * (or the worker thread) exits, so `process.exit`, a fatal error and a SIGTERM shutdown lose
   * nothing; only a SIGKILL can lose the last 250 ms. Only for a file descriptor.
   */
  buffered?: boolean;
}

/** How much a buffered logger gathers before it writes, and how long at most it waits. */
const bufferBytes = 8192;
const bufferMs = 250;

/**
 * JSON lines on stderr, written synchronously so the last line before `process.exit` is never lost
 * (and no worker-thread transport, which does not survive single-file bundling).
 */
export function createLogger(
  program: string,
  level: LogLevel,
  destination: LogDestination = 2,
  options: LoggerOptions = {},
): Logger {
  return pino(
    {
      level,
      base: { program },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    typeof destination === 'number' ? fileDestination(destination, options.buffered === true) : destination,
  );
}

/** This thread's buffered destinations, written out by `flushBufferedLogs` and again at exit. */
const bufferedStreams = new Set<{ flushSync(): void }>();

/**
 * Writes out, synchronously, whatever this thread's buffered loggers have gathered. The shutdown
 * sequence calls it before its own "stopped" line, so that line stays the last one on stderr.
 */
export function flushBufferedLogs(): void {
  for (const stream of bufferedStreams) {
    try {
      stream.flushSync();
    } catch {
      // stderr closed: nowhere left to write.
    }
  }
}

function fileDestination(fd: number, buffered: boolean) {
  if (!buffered) return pino.destination({ fd, sync: true });
  const stream = pino.destination({ fd, sync: true, minLength: bufferBytes, periodicFlush: bufferMs });
  if (bufferedStreams.size === 0) {
    // 'exit' runs on process.exit, after an uncaught error and at a natural end, in the thread that
    // exits: the last lines are written out synchronously there.
    process.once('exit', flushBufferedLogs);
  }
  bufferedStreams.add(stream);
  return stream;
}
