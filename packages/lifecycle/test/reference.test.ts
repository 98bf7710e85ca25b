import { Counter, Gauge, Histogram } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { describeMetrics, formatReferenceHelp } from '../src/index.ts';

describe('describeMetrics', () => {
  it('lists what a metrics function registers: name, type, labels, help, sorted by name', () => {
    const metrics = describeMetrics((registry) => {
      new Gauge({ name: 'b_open', help: 'Open now.', registers: [registry] });
      new Counter({ name: 'a_total', help: 'Done.', labelNames: ['result'], registers: [registry] });
      new Histogram({ name: 'c_seconds', help: 'How long.', registers: [registry] });
    });
    expect(metrics).toEqual([
      { name: 'a_total', type: 'counter', labels: ['result'], help: 'Done.' },
      { name: 'b_open', type: 'gauge', labels: [], help: 'Open now.' },
      { name: 'c_seconds', type: 'histogram', labels: [], help: 'How long.' },
    ]);
  });

  it('reads a fresh registry each time: the same function twice does not clash', () => {
    const register = (registry: Parameters<Parameters<typeof describeMetrics>[0]>[0]) =>
      new Counter({ name: 'x_total', help: 'x', registers: [registry] });
    expect(describeMetrics(register)).toEqual(describeMetrics(register));
  });

  it('says none when a program has no endpoints or metrics of its own', () => {
    expect(formatReferenceHelp([], [])).toBe(
      'Endpoints (besides /livez, /readyz and /metrics):\n  none\n\nMetrics (besides the default process_* and nodejs_* ones):\n  none\n',
    );
  });
});
