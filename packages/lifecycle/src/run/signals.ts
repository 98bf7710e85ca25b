import type { Logger } from '../logger.ts';
import type { ShutdownSequence } from './shutdown-sequence.ts';

function exitCodeForSignal(signal: NodeJS.Signals): number {
  return 128 + (signal === 'SIGINT' ? 2 : 15);
}

/**
 * The process-wide handlers, installed once: SIGTERM/SIGINT start the shutdown and a second one exits
 * at once; a reader closing stdout ends the program normally; an uncaught error is fatal (exit 1).
 * Returns `fail`, the same fatal path for a failure the program finds itself.
 */
export function installProcessHandlers(
  log: Logger,
  shutdown: ShutdownSequence,
): (reason: string, error: unknown) => void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (shutdown.started) {
        log.warn({ signal }, 'second signal: exiting now');
        process.exit(exitCodeForSignal(signal));
      }
      void shutdown.run(signal, 0);
    });
  }
  // A reader that goes away (`topz --once | head`) is not a crash: stop writing and finish normally.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    log.debug('stdout closed by its reader');
    void shutdown.run('stdout closed', 0);
  });
  const fail = (reason: string, error: unknown) => {
    log.fatal({ err: error }, reason);
    if (shutdown.started) process.exit(1);
    void shutdown.run(reason, 1);
  };
  process.on('uncaughtException', (error) => fail('uncaught exception', error));
  process.on('unhandledRejection', (error) => fail('unhandled rejection', error));
  return fail;
}
