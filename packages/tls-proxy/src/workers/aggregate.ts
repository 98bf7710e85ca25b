import {
  AggregatorRegistry,
  type Metric,
  type MetricObjectWithValues,
  type MetricValue,
  type Registry,
} from 'prom-client';
import type { MetricsSnapshot } from './messages.ts';

type Snapshot = MetricObjectWithValues<MetricValue<string>>;

/**
 * Puts the workers' metrics on the main registry, summed across workers (counters, histogram buckets,
 * the open-connections gauge): one entry per metric that, on each scrape, asks every worker once for
 * its metrics (one round shared by all the entries of the scrape) and adds them up with prom-client's
 * own cluster aggregator.
 */
export function registerWorkerMetrics(
  registry: Registry,
  templates: readonly Metric[],
  collect: () => Promise<MetricsSnapshot[]>,
): void {
  let round: Promise<Map<string, Snapshot>> | undefined;
  const aggregated = () => {
    round ??= collect()
      .then(async (perWorker) => {
        const merged = await AggregatorRegistry.aggregate(perWorker).getMetricsAsJSON();
        return new Map(merged.map((metric) => [metric.name, metric as Snapshot]));
      })
      .finally(() => {
        round = undefined;
      });
    return round;
  };
  for (const template of templates) {
    const { name, help, type } = template as unknown as { name: string; help: string; type: string };
    const empty = { name, help, type, aggregator: 'sum', values: [] };
    registry.registerMetric({
      name,
      help,
      type,
      aggregator: 'sum',
      get: async () => (await aggregated()).get(name) ?? empty,
      reset: () => {},
    } as unknown as Metric);
  }
}
