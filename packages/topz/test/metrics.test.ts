import { Registry } from 'prom-client';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Sampler, selectForMetrics, TopzMetrics } from '../src/index.ts';
import { Children, sleep, waitForExec } from './helpers/children.ts';

const children = new Children();
const sampler = new Sampler();
afterEach(() => children.killAll());
afterAll(() => sampler.close());

async function seriesOf(
  registry: Registry,
  name: string,
): Promise<{ labels: Record<string, string | number>; value: number }[]> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  return (await metric.get()).values.map(({ labels, value }) => ({
    labels: labels as Record<string, string>,
    value,
  }));
}

describe('TopzMetrics', () => {
  it('names every metric topz_…, in base units, counters ending _total', async () => {
    const registry = new Registry();
    new TopzMetrics(registry, 10).record(sampler.sample());
    const metrics = await registry.getMetricsAsJSON();
    expect(metrics.length).toBeGreaterThan(15);
    for (const metric of metrics) {
      expect(metric.name).toMatch(/^topz_/);
      expect(metric.name.endsWith('_total')).toBe(String(metric.type) === 'counter');
    }
  });

  it('caps per-process series, counts the dropped ones, and keeps the busiest and the largest', async () => {
    // A busy and a large process, so the ranking has clear leaders.
    children.node('for (;;) {}');
    children.node('const keep = Buffer.alloc(300 * 1024 * 1024, 1); setInterval(() => keep[0]++, 1000);');
    await sleep(800);
    sampler.sample();
    await sleep(300);
    const snapshot = sampler.sample();
    const registry = new Registry();
    new TopzMetrics(registry, 4).record(snapshot);
    for (const name of [
      'topz_process_resident_memory_bytes',
      'topz_process_cpu_seconds_total',
      'topz_process_threads',
    ]) {
      expect(await seriesOf(registry, name)).toHaveLength(4);
    }
    const [dropped] = await seriesOf(registry, 'topz_metrics_dropped_processes');
    expect(dropped?.value).toBe(snapshot.processes.length - 4);
    const pids = (await seriesOf(registry, 'topz_process_resident_memory_bytes')).map((s) =>
      Number(s.labels.pid),
    );
    // Other work on the machine may outrank the children, so check against the snapshot's own ranking.
    const byCpu = [...snapshot.processes].sort((a, b) => b.cpuPercent - a.cpuPercent || a.pid - b.pid);
    const byRss = [...snapshot.processes].sort((a, b) => b.rssBytes - a.rssBytes || a.pid - b.pid);
    expect(pids).toEqual(expect.arrayContaining([byCpu[0]!.pid, byCpu[1]!.pid, byRss[0]!.pid]));
    expect(
      selectForMetrics(snapshot.processes, 4)
        .map((p) => p.pid)
        .sort(),
    ).toEqual([...pids].sort());
  });

  it('drops the series of a process that has gone, and sets counters to its totals', async () => {
    const child = children.spawn('sleep', ['30']);
    await waitForExec(child.pid!, 'sleep');
    const registry = new Registry();
    const metrics = new TopzMetrics(registry, 10_000);
    const snapshot = sampler.sample();
    metrics.record(snapshot);
    const mine = (series: { labels: Record<string, string | number> }[]) =>
      series.filter((s) => s.labels.pid === String(child.pid));
    const rss = mine(await seriesOf(registry, 'topz_process_resident_memory_bytes'));
    expect(rss).toEqual([{ labels: { pid: String(child.pid), comm: 'sleep' }, value: expect.any(Number) }]);
    const self = snapshot.processes.find((p) => p.pid === process.pid)!;
    const cpu = (await seriesOf(registry, 'topz_process_cpu_seconds_total')).find(
      (s) => s.labels.pid === String(process.pid),
    );
    expect(cpu?.value).toBe(self.cpuSeconds);
    for (const [name, field] of [
      ['topz_process_cpu_user_seconds_total', 'cpuUserSeconds'],
      ['topz_process_cpu_system_seconds_total', 'cpuSystemSeconds'],
      ['topz_process_minor_page_faults_total', 'minorFaults'],
      ['topz_process_major_page_faults_total', 'majorFaults'],
    ] as const) {
      const series = (await seriesOf(registry, name)).find((s) => s.labels.pid === String(process.pid));
      expect(series?.value, name).toBe(self[field]);
    }
    expect(self.minorFaults).toBeGreaterThan(0);
    metrics.record(sampler.sample());
    expect(mine(await seriesOf(registry, 'topz_process_cpu_seconds_total'))).toHaveLength(1);
    await children.killAll();
    metrics.record(sampler.sample());
    for (const name of [
      'topz_process_resident_memory_bytes',
      'topz_process_cpu_seconds_total',
      'topz_process_open_fds',
    ]) {
      expect(mine(await seriesOf(registry, name))).toEqual([]);
    }
  });

  it('reports totals by state, sweeps, and the limits of its own cgroup', async () => {
    const registry = new Registry();
    const metrics = new TopzMetrics(registry, 10);
    const snapshot = sampler.sample();
    metrics.record(snapshot);
    metrics.countSnapshotError();
    const states = await seriesOf(registry, 'topz_processes');
    expect(states.reduce((sum, s) => sum + s.value, 0)).toBe(snapshot.processes.length);
    expect((await seriesOf(registry, 'topz_snapshots_total'))[0]?.value).toBe(1);
    expect((await seriesOf(registry, 'topz_snapshot_errors_total'))[0]?.value).toBe(1);
    expect((await seriesOf(registry, 'topz_read_errors_total')).map((s) => s.labels.file).sort()).toEqual([
      'cmdline',
      'fd',
      'io',
      'limits',
      'owner',
      'smaps_rollup',
      'stat',
      'status',
    ]);
    const usage = await seriesOf(registry, 'topz_cgroup_memory_usage_bytes');
    if (snapshot.cgroup?.memoryUsageBytes) {
      expect(usage).toEqual([
        { labels: { cgroup: snapshot.cgroup.path }, value: snapshot.cgroup.memoryUsageBytes },
      ]);
    }
    // Pressure of topz's own cgroup: the kernel's counters as read, absent where unreadable.
    const pressure = await seriesOf(registry, 'topz_cgroup_pressure_seconds_total');
    const cpuSome = pressure.find((s) => s.labels.resource === 'cpu' && s.labels.kind === 'some');
    expect(cpuSome?.value).toBe(snapshot.pressure.cpu?.some.totalSeconds);
    expect((await seriesOf(registry, 'topz_cgroup_oom_kills_total'))[0]?.value).toBe(
      snapshot.pressure.oomKills ?? undefined,
    );
    // Unlimited here means no series at all, rather than a 0 that would read as "no memory allowed".
    const limit = await seriesOf(registry, 'topz_cgroup_memory_limit_bytes');
    expect(limit).toHaveLength(snapshot.cgroup?.memoryLimitBytes ? 1 : 0);
  });
});
