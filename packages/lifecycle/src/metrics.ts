import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/** A fresh registry per program run: the default process metrics plus `<program>_build_info`. */
export function createMetricsRegistry(program: string, version: string): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
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
