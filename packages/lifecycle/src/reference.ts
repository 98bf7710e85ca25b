import { Registry } from 'prom-client';

/** An HTTP endpoint a program serves besides the lifecycle's /livez, /readyz and /metrics. */
export interface EndpointDoc {
  method: string;
  path: string;
  help: string;
}

/** One metric family a program registers, as `--help`, the README and the checks list it. */
export interface MetricDoc {
  name: string;
  type: string;
  labels: readonly string[];
  help: string;
}

/**
 * The metrics a program's own metrics function registers, read from a fresh registry: the function
 * the program runs is the declaration, so the reference cannot name a metric the program lacks.
 */
export function describeMetrics(register: (registry: Registry) => unknown): MetricDoc[] {
  const registry = new Registry();
  register(registry);
  return registry
    .getMetricsAsArray()
    .map((metric) => {
      const { name, help, type, labelNames } = metric as unknown as {
        name: string;
        help: string;
        type: string;
        labelNames?: string[];
      };
      return { name, type, labels: labelNames ?? [], help };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The endpoints and metrics part of `--help`. */
export function formatReferenceHelp(
  endpoints: readonly EndpointDoc[],
  metrics: readonly MetricDoc[],
): string {
  const lines = ['Endpoints (besides /livez, /readyz and /metrics):'];
  if (endpoints.length === 0) lines.push('  none');
  for (const endpoint of endpoints)
    lines.push(`  ${endpoint.method} ${endpoint.path}`, `      ${endpoint.help}`);
  lines.push('', 'Metrics (besides the default process_* and nodejs_* ones):');
  if (metrics.length === 0) lines.push('  none');
  for (const metric of metrics) {
    const labels = metric.labels.length > 0 ? `{${metric.labels.join(',')}}` : '';
    lines.push(`  ${metric.name}${labels} (${metric.type})`, `      ${metric.help}`);
  }
  return `${lines.join('\n')}\n`;
}
