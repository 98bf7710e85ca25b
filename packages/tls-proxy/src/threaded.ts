import { randomBytes } from 'node:crypto';
import { closeServer, type Logger } from '@toolkit/lifecycle';
import type { Registry } from 'prom-client';
import { ProxyMetrics } from './metrics.ts';
import type { Settings, TlsProxyConfig } from './settings.ts';
import { loadInitialCertificate, logListenerUp, startFrontParts, type TlsProxy } from './tls-proxy.ts';
import { registerWorkerMetrics } from './workers/aggregate.ts';
import { WorkerPool } from './workers/pool.ts';

/**
 * The proxy on `settings.workers` worker threads. The main thread keeps what there is one of: the
 * certificate (loaded or made once, so every worker serves the same one), its watch (a reload is
 * posted to every worker), the TLS ticket keys (made once, so sessions resume on any worker), the
 * redirect listener, readiness, the admin server and its /metrics (the workers' metrics summed).
 * A worker that stops on its own is a crash: `onCrash` is called and the process should go down.
 */
export async function startThreadedTlsProxy(
  settings: Settings,
  config: TlsProxyConfig,
  log: Logger,
  registry: Registry,
  onCrash: (error: Error) => void,
): Promise<TlsProxy> {
  const initial = await loadInitialCertificate(settings, log);
  // Traffic metrics live in the workers; the main thread keeps the certificate ones.
  const local = new ProxyMetrics(registry, ['certificate']);
  const template = new ProxyMetrics(undefined, ['traffic']);
  const pool = await WorkerPool.start({
    count: settings.workers,
    config,
    material: initial.material,
    port: settings.listen.port,
    ticketKeys: randomBytes(48),
    log,
    onCrash: (_index, error) => onCrash(error),
  });
  registerWorkerMetrics(registry, template.trafficMetrics(), () => pool.collectMetrics());
  const address = {
    address: settings.listen.host,
    port: pool.port,
    family: settings.listen.host.includes(':') ? 'IPv6' : 'IPv4',
  };
  logListenerUp(log, settings, address, initial, pool.size);
  const front = await startFrontParts(settings, log, local, initial, (material) =>
    pool.setCertificate(material),
  );
  return {
    address,
    redirectAddress: front.redirectAddress,
    checkCertificate: () => front.reloader?.check() ?? Promise.resolve(),
    drain: async (graceMs) => {
      await Promise.all([
        pool.drain(graceMs),
        front.redirect ? closeServer(front.redirect, Math.min(graceMs, 1000)) : undefined,
      ]);
    },
    close: () => {
      front.reloader?.stop();
    },
  };
}
