import { type ChildProcess, spawn } from 'node:child_process';

export type WorkerRole = 'busy' | 'idle';

/**
 * Starts worker processes so there is something to watch: a `busy` one burns CPU in bursts, an `idle`
 * one sleeps. Each is this same program started again with `--role`.
 */
export function startWorkers(roles: readonly WorkerRole[], entry: string): ChildProcess[] {
  return roles.map((role) =>
    spawn(process.execPath, [entry, '--role', role], { stdio: ['ignore', 'inherit', 'inherit'] }),
  );
}

export function stopWorkers(workers: readonly ChildProcess[]): Promise<void> {
  return Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve) => {
          if (worker.exitCode !== null || worker.signalCode !== null) return resolve();
          worker.once('exit', () => resolve());
          worker.kill('SIGTERM');
        }),
    ),
  ).then(() => undefined);
}

/** The worker's own loop; ends on SIGTERM. `busy` spins for 300 ms of every second (about 30% of a core). */
export function runWorker(role: WorkerRole): void {
  process.title = `demo-app-${role}`;
  const timer = setInterval(() => {
    if (role !== 'busy') return;
    const until = Date.now() + 300;
    while (Date.now() < until) {
      // spin
    }
  }, 1000);
  process.on('SIGTERM', () => {
    clearInterval(timer);
    process.exit(0);
  });
}
