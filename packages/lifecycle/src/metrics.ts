import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/** A fresh registry per program run: the default process metrics plus `<program>_build_info`. */
export function createMetricsRegistry(program: string, version: string): Registry {
  const registry = new Registry();
  // The event-loop monitor wakes every `precision` ms; the default 10 ms costs an idle sidecar about
  // half a percent of a core, 100 ms a tenth of that, still fine-grained for a scrape every 15 s.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  const buildInfo = new Gauge({
    name: `${metricPrefix(program)}_build_info`,
    help: `Build information of ${program}; always 1.`,
    labelNames: ['version', 'node_version'],
    registers: [registry],
  });
  buildInfo.set({ version, node_version: process.version }, 1);
  return registry;
}

/** Prometheus names take one word: `log-forwarder` → `log_forwarder`. */
export function metricPrefix(program: string): string {
  return program.replace(/-/g, '_');
}
