import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

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

/** Makes a program's metrics on the registries given; see `metricsOn`. */
export interface MetricMaker {
  counter<L extends string = never>(name: string, help: string, labelNames?: readonly L[]): Counter<L>;
  gauge<L extends string = never>(name: string, help: string, labelNames?: readonly L[]): Gauge<L>;
  histogram<L extends string = never>(
    name: string,
    help: string,
    buckets: readonly number[],
    labelNames?: readonly L[],
  ): Histogram<L>;
}

/**
 * The metrics of a program on `registers` (none: made but not exposed), each in one line instead of
 * prom-client's option object. `collect`, when given, runs before any of them is read (a program that
 * builds its series lazily, once per scrape). Names are written out whole, so they stay greppable.
 */
export function metricsOn(registers: Registry | readonly Registry[], collect?: () => void): MetricMaker {
  const registries = Array.isArray(registers) ? [...registers] : [registers as Registry];
  const extra = { registers: registries, ...(collect && { collect }) };
  return {
    counter: (name, help, labelNames = []) => new Counter({ name, help, labelNames, ...extra }),
    gauge: (name, help, labelNames = []) => new Gauge({ name, help, labelNames, ...extra }),
    histogram: (name, help, buckets, labelNames = []) =>
      new Histogram({ name, help, labelNames, buckets: [...buckets], ...extra }),
  };
}
