import { parentPort, workerData } from 'node:worker_threads';
import { createLogger, type LogLevel } from '@toolkit/lifecycle';
import { Registry } from 'prom-client';
import { ProxyMetrics } from '../metrics.ts';
import { deriveSettings } from '../settings.ts';
import { startService } from '../tls-proxy.ts';
import type { FromWorker, ToWorker, WorkerStart } from './messages.ts';

/** True in a thread the pool started (the bundle runs the same file as the main thread and the workers). */
export function isProxyWorker(): boolean {
  return (workerData as Partial<WorkerStart> | null)?.tlsProxyWorker === true;
}

/**
 * A worker thread: one HTTPS listener on the shared port with its own upstream pool and metrics; the
 * main thread owns the options, certificate watch, readiness, admin server and signals. An error here
 * that nothing catches ends the thread, and the main thread then shuts the process down.
 */
export async function runProxyWorker(): Promise<void> {
  const start = workerData as WorkerStart;
  const port = parentPort!;
  const post = (message: FromWorker) => port.postMessage(message);
  const settings = deriveSettings(start.config);
  const log = createLogger('tls-proxy', start.logLevel as LogLevel).child({ worker: start.index });
  const registry = new Registry();
  // The certificate metrics are the main thread's: it watches the files.
  const metrics = new ProxyMetrics(registry, ['traffic']);
  const service = await startService(settings, log, metrics, start.material, {
    port: start.port,
    reusePort: true,
    ticketKeys: Buffer.from(start.ticketKeys),
    accessLog: createLogger('tls-proxy', start.logLevel as LogLevel, 2, { buffered: true }).child({
      worker: start.index,
    }),
  });
  port.on('message', (message: ToWorker) => {
    switch (message.type) {
      case 'certificate':
        service.setCertificate(message.material);
        break;
      case 'metrics':
        void registry
          .getMetricsAsJSON()
          .then((snapshot) => post({ type: 'metrics', id: message.id, metrics: snapshot }));
        break;
      case 'drain':
        void service
          .drain(message.graceMs)
          .then(() => {
            service.close();
            return registry.getMetricsAsJSON();
          })
          .then((snapshot) => {
            // The last counts, so nothing served during the drain is missing from /metrics.
            post({ type: 'metrics', id: -1, metrics: snapshot });
            // A moment for that message to leave, then the thread ends (whatever handle were still open).
            setTimeout(() => process.exit(0), 100);
          });
        break;
    }
  });
  post({ type: 'listening', port: service.address.port });
}
