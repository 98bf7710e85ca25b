import { createLogger, type Logger, parseOptions, programOptions } from '@toolkit/lifecycle';
import { Registry } from 'prom-client';
import { afterAll, beforeAll } from 'vitest';
import { definition } from '../../src/definition.ts';
import { ProxyMetrics } from '../../src/metrics.ts';
import { deriveSettings, type TlsProxyConfig } from '../../src/settings.ts';
import { startTlsProxy, type TlsProxy } from '../../src/tls-proxy.ts';
import { makeServerFiles, type Pem } from './certificates.ts';
import { TestUpstream } from './upstream.ts';

export interface RunningProxy {
  proxy: TlsProxy;
  registry: Registry;
  metrics: ProxyMetrics;
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * The proxy in this process, configured with real flags (parsed by the same table as the program),
 * listening on 127.0.0.1:0 with a fresh metrics registry.
 */
export async function startProxy(
  args: string[],
  log: Logger = createLogger('tls-proxy', 'silent'),
): Promise<RunningProxy> {
  const { config } = parseOptions(
    'tls-proxy',
    programOptions(definition),
    ['--listen', '127.0.0.1:0', ...args],
    {},
  );
  const settings = deriveSettings(config as unknown as TlsProxyConfig);
  const registry = new Registry();
  const metrics = new ProxyMetrics(registry);
  const proxy = await startTlsProxy(settings, log, metrics);
  return {
    proxy,
    registry,
    metrics,
    url: `https://127.0.0.1:${proxy.address.port}`,
    port: proxy.address.port,
    stop: async () => {
      await proxy.drain(500);
      proxy.close();
    },
  };
}

/** The flags that serve `files` in front of `upstreamUrl`: what most tests start the proxy with. */
export function servingArgs(upstreamUrl: string, files: { cert: string; key: string }): string[] {
  return ['--upstream', upstreamUrl, '--tls-cert', files.cert, '--tls-key', files.key];
}

/** The value of one series, e.g. `metricValue(registry, 'tls_proxy_upstream_errors_total', { reason: 'refused' })`. */
export async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  const series = metric?.values.find((value) =>
    Object.entries(labels).every(([key, expected]) => String(value.labels[key]) === expected),
  );
  return series?.value ?? 0;
}

/** What `useServingProxy` starts: read its fields in tests and hooks, not when the file is collected. */
export interface ServingProxy {
  upstream: TestUpstream;
  /** The CA that signed the proxy's certificate (for localhost and 127.0.0.1). */
  ca: Pem;
  files: { cert: string; key: string };
  proxy: RunningProxy;
}

/**
 * A test upstream, a fresh CA with a server certificate, and the proxy serving that certificate in
 * front of the upstream with `extraArgs`: started before the enclosing block's tests, stopped after.
 */
export function useServingProxy(extraArgs: string[] = []): ServingProxy {
  const serving = { upstream: new TestUpstream() } as ServingProxy;
  beforeAll(async () => {
    await serving.upstream.start();
    ({ ca: serving.ca, files: serving.files } = await makeServerFiles());
    serving.proxy = await startProxy([...servingArgs(serving.upstream.url, serving.files), ...extraArgs]);
  });
  afterAll(async () => {
    await serving.proxy?.stop();
    await serving.upstream.stop();
  });
  return serving;
}
