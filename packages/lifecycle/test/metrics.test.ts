import { Registry } from 'prom-client';
import { expect, test } from 'vitest';
import { metricsOn } from '../src/index.ts';

test('metricsOn makes counters, gauges and histograms on the registries given, collect run on read', async () => {
  const registry = new Registry();
  let reads = 0;
  const make = metricsOn(registry, () => {
    reads++;
  });
  make.counter('t_events_total', 'Events.', ['kind']).inc({ kind: 'a' }, 2);
  make.gauge('t_level', 'Level.').set(3);
  make.histogram('t_seconds', 'Time.', [0.5, 1]).observe(0.7);
  const text = await registry.metrics();
  expect(text).toMatch(/^# HELP t_events_total Events\.$/m);
  expect(text).toMatch(/^t_events_total\{kind="a"\} 2$/m);
  expect(text).toMatch(/^t_level 3$/m);
  expect(text).toMatch(/^t_seconds_bucket\{le="0.5"\} 0$/m);
  expect(text).toMatch(/^t_seconds_bucket\{le="1"\} 1$/m);
  expect(reads).toBe(3);

  // No registry: made and counted, exposed nowhere (a worker thread's half of a program's metrics).
  const hidden = metricsOn([]).counter('t_hidden_total', 'Hidden.');
  hidden.inc();
  expect((await hidden.get()).values[0]?.value).toBe(1);
  expect(await registry.metrics()).not.toMatch(/t_hidden_total/);
});
