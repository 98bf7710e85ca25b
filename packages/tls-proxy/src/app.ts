import { createLogger, type LogLevel, OutgoingTls, type ProgramContext } from '@toolkit/lifecycle';
import { ProxyMetrics } from './metrics.ts';
import { watchUpstreamReadiness } from './readiness.ts';
import { deriveSettings, type TlsProxyConfig } from './settings.ts';
import { startThreadedTlsProxy } from './threaded.ts';
import { startTlsProxy, upstreamHttpsAgent } from './tls-proxy.ts';

/**
 * The program: settings from the options, the proxy started, then shutdown steps. They run last
 * registered first, so on SIGTERM: the listeners drain (readiness already dropped), then the upstream
 * connections and the certificate watch close, then lifecycle's admin server.
 */
export async function runTlsProxy(context: ProgramContext<TlsProxyConfig>): Promise<void> {
  const { config, log, signal } = context;
  const settings = deriveSettings(config);
  // Read (and checked: a missing file ends the start with a usage error) once here, where it logs;
  // worker threads open their own, silently.
  const outgoingTls =
    settings.upstream.protocol === 'https:' ? await OutgoingTls.open(settings.outgoingTls, log) : undefined;
  const proxy =
    settings.workers > 1
      ? await startThreadedTlsProxy(settings, config, log, context.metrics, (error) =>
          // The other workers drain, then the process exits 1 (the container's restart policy restarts it).
          context.fail('worker thread crashed', error),
        )
      : await startTlsProxy(settings, log, new ProxyMetrics(context.metrics), {
          // One line per request or connection: written in batches, all of it out by the exit.
          accessLog: createLogger('tls-proxy', log.level as LogLevel, 2, { buffered: true }),
          outgoingTls,
        });
  context.onShutdown('upstream connections', async () => {
    proxy.close();
    await outgoingTls?.close();
  });
  // The step's own timeout leaves the drain a second to cut what is left once its grace runs out.
  context.onShutdown(
    'HTTPS listener',
    () => proxy.drain(settings.drainTimeoutMs),
    settings.drainTimeoutMs + 1000,
  );

  if (!settings.ready) {
    context.ready();
    return;
  }
  let lastReason: string | undefined;
  watchUpstreamReadiness({
    upstream: settings.upstream,
    // A fresh connection per check (no keep-alive), so a changed --ca-file is seen by the next one.
    httpsAgent: upstreamHttpsAgent(settings.upstream, outgoingTls),
    path: settings.ready.path,
    intervalMs: settings.ready.intervalMs,
    signal,
    onReady: () => {
      lastReason = undefined;
      context.ready();
    },
    onNotReady: (reason) => {
      if (reason !== lastReason) log.warn({ reason }, 'not ready: upstream check failed');
      lastReason = reason;
      context.health.markNotReady(reason);
    },
  });
}
