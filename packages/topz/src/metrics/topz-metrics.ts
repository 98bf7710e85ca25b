import { metricsOn } from '@toolkit/lifecycle';
import type { Counter, Gauge, Registry } from 'prom-client';
import type { GroupNamer } from '../group/group-namer.ts';
import { type GroupLimit, type GroupSummary, GroupTotals } from '../group/group-totals.ts';
import type { Snapshot } from '../snapshot.ts';
import { GroupSeries } from './group-series.ts';
import { ProcessSeries } from './process-series.ts';
import { selectForMetrics } from './select.ts';

/**
 * topz's metrics, on the program's registry. Names start `topz_`: prom-client's default `process_*`
 * metrics on the same registry describe topz itself, not the processes it watches.
 *
 * Counters of events are counted at every sweep (`record`); the series that describe the latest
 * snapshot are rebuilt only when read, by the `collect` hook of each metric, once per snapshot: a
 * scrape every 15 s then costs one rebuild instead of fifteen.
 */
export class TopzMetrics {
  readonly #maxProcesses: number;
  readonly #processes: ProcessSeries;
  readonly #groupSeries: GroupSeries;
  /** Undefined without --group or --group-by. */
  readonly #groupTotals: GroupTotals | undefined;
  #groups: GroupSummary[] = [];
  readonly #byState: Gauge<'state'>;
  readonly #threads: Gauge;
  readonly #dropped: Gauge;
  readonly #folded: Counter;
  readonly #duration: Gauge;
  readonly #timestamp: Gauge;
  readonly #snapshots: Counter;
  readonly #snapshotErrors: Counter;
  readonly #vanished: Counter;
  readonly #readErrors: Counter<'file'>;
  readonly #memoryLimit: Gauge<'cgroup'>;
  readonly #memoryUsage: Gauge<'cgroup'>;
  readonly #cpuLimit: Gauge<'cgroup'>;
  readonly #pressure: Counter<'cgroup' | 'resource' | 'kind'>;
  readonly #periods: Counter<'cgroup'>;
  readonly #throttledPeriods: Counter<'cgroup'>;
  readonly #throttledSeconds: Counter<'cgroup'>;
  readonly #oomKills: Counter<'cgroup'>;
  #foldedSoFar = 0;
  #latest: Snapshot | undefined;
  #shown: Snapshot | undefined;

  /** `groups`: how processes are grouped (--group, --group-by); no group series without it. */
  constructor(
    registry: Registry,
    maxProcesses: number,
    groups?: { namer: GroupNamer; clockTicks: number } & Partial<GroupLimit>,
  ) {
    this.#maxProcesses = maxProcesses;
    const collect = () => this.#show();
    this.#processes = new ProcessSeries(registry, collect);
    this.#groupSeries = new GroupSeries(registry, collect);
    this.#groupTotals =
      groups &&
      new GroupTotals(groups.namer, groups.clockTicks, {
        maxGroups: groups.maxGroups ?? Number.POSITIVE_INFINITY,
        ruleNames: groups.ruleNames ?? new Set(),
      });
    // Built from the latest snapshot when read; event counters count as events happen.
    const { gauge } = metricsOn(registry, collect);
    const { counter } = metricsOn(registry);
    this.#byState = gauge(
      'topz_processes',
      'Processes topz sees, by state letter as in ps (R, S, D, Z, T, I…).',
      ['state'],
    );
    this.#threads = gauge('topz_threads', 'Threads of all the processes topz sees.');
    this.#dropped = gauge(
      'topz_metrics_dropped_processes',
      'Processes left without per-process series by --metrics-max-processes.',
    );
    this.#folded = counter(
      'topz_group_folded_processes_total',
      'Processes counted in the group (other) because --group-by already had --metrics-max-groups groups.',
    );
    this.#duration = gauge('topz_snapshot_duration_seconds', 'Time the last sweep of /proc took.');
    this.#timestamp = gauge(
      'topz_snapshot_timestamp_seconds',
      'Start of the last sweep of /proc, since the Unix epoch.',
    );
    this.#snapshots = counter('topz_snapshots_total', 'Sweeps of /proc.');
    this.#snapshotErrors = counter('topz_snapshot_errors_total', 'Sweeps of /proc that failed as a whole.');
    this.#vanished = counter(
      'topz_vanished_processes_total',
      'Processes that exited while topz read them (skipped).',
    );
    this.#readErrors = counter(
      'topz_read_errors_total',
      'Reads of /proc/<pid> files that failed other than by the process exiting (permission, fd limit), by file.',
      ['file'],
    );
    // Zero from the start, so rate() works from the first scrape.
    for (const file of ['stat', 'status', 'cmdline', 'io', 'fd', 'owner', 'limits', 'smaps_rollup'])
      this.#readErrors.inc({ file }, 0);
    this.#memoryLimit = gauge(
      'topz_cgroup_memory_limit_bytes',
      "Memory limit of topz's cgroup; absent when unlimited.",
      ['cgroup'],
    );
    this.#memoryUsage = gauge('topz_cgroup_memory_usage_bytes', "Memory charged to topz's cgroup.", [
      'cgroup',
    ]);
    // Counters the kernel keeps: read with the snapshot's other series.
    const kernelCounter = metricsOn(registry, collect).counter;
    this.#pressure = kernelCounter(
      'topz_cgroup_pressure_seconds_total',
      "Time tasks of topz's cgroup stalled waiting for a resource (PSI, cgroup v2): kind some (at least one task) or full (all); absent where unreadable.",
      ['cgroup', 'resource', 'kind'],
    );
    this.#periods = kernelCounter(
      'topz_cgroup_cpu_periods_total',
      "CFS bandwidth periods of topz's cgroup with runnable tasks (cpu.stat nr_periods).",
      ['cgroup'],
    );
    this.#throttledPeriods = kernelCounter(
      'topz_cgroup_cpu_throttled_periods_total',
      "Periods topz's cgroup was throttled by its CPU quota (cpu.stat nr_throttled).",
      ['cgroup'],
    );
    this.#throttledSeconds = kernelCounter(
      'topz_cgroup_cpu_throttled_seconds_total',
      "Time topz's cgroup was throttled by its CPU quota.",
      ['cgroup'],
    );
    this.#oomKills = kernelCounter(
      'topz_cgroup_oom_kills_total',
      "Processes of topz's cgroup killed by the OOM killer (memory.events oom_kill, v1 memory.oom_control).",
      ['cgroup'],
    );
    this.#cpuLimit = gauge(
      'topz_cgroup_cpu_limit_cores',
      "CPU quota of topz's cgroup in cores; absent when unlimited.",
      ['cgroup'],
    );
  }

  /**
   * Counts a sweep's events and adds it to the groups (every sweep, so that a process that exits
   * between two scrapes still counts); the snapshot's series are built when next read.
   */
  record(snapshot: Snapshot): void {
    this.#latest = snapshot;
    if (this.#groupTotals) {
      this.#groups = this.#groupTotals.update(snapshot.processes);
      this.#folded.inc(this.#groupTotals.foldedProcesses - this.foldedProcesses);
      this.#foldedSoFar = this.#groupTotals.foldedProcesses;
    }
    this.#snapshots.inc();
    this.#vanished.inc(snapshot.errors.vanished);
    for (const [file, count] of Object.entries(snapshot.errors.readErrors))
      this.#readErrors.inc({ file }, count);
  }

  /** Counters the kernel keeps (pressure, throttling, OOM kills), shown as read; absent where unreadable. */
  #showPressure(snapshot: Snapshot): void {
    const { pressure } = snapshot;
    const cgroup = pressure.path ?? snapshot.cgroup?.path ?? '';
    for (const metric of [
      this.#pressure,
      this.#periods,
      this.#throttledPeriods,
      this.#throttledSeconds,
      this.#oomKills,
    ])
      metric.reset();
    for (const resource of ['cpu', 'memory', 'io'] as const) {
      const stall = pressure[resource];
      if (!stall) continue;
      this.#pressure.inc({ cgroup, resource, kind: 'some' }, stall.some.totalSeconds);
      if (stall.full) this.#pressure.inc({ cgroup, resource, kind: 'full' }, stall.full.totalSeconds);
    }
    if (pressure.throttling) {
      this.#periods.inc({ cgroup }, pressure.throttling.periods);
      this.#throttledPeriods.inc({ cgroup }, pressure.throttling.throttledPeriods);
      this.#throttledSeconds.inc({ cgroup }, pressure.throttling.throttledSeconds);
    }
    if (pressure.oomKills !== null) this.#oomKills.inc({ cgroup }, pressure.oomKills);
  }

  /** Processes counted in the overflow group since topz started (see --metrics-max-groups). */
  get foldedProcesses(): number {
    return this.#foldedSoFar;
  }

  countSnapshotError(): void {
    this.#snapshotErrors.inc();
  }

  /** Rebuilds the series of the latest snapshot, once per snapshot however many metrics are read. */
  #show(): void {
    const snapshot = this.#latest;
    if (!snapshot || snapshot === this.#shown) return;
    this.#shown = snapshot;
    const selected = selectForMetrics(snapshot.processes, this.#maxProcesses);
    this.#processes.update(selected);
    this.#groupSeries.update(this.#groups);
    this.#dropped.set(snapshot.processes.length - selected.length);
    this.#byState.reset();
    for (const [state, count] of Object.entries(snapshot.totals.byState)) this.#byState.set({ state }, count);
    this.#threads.set(snapshot.totals.threads);
    this.#duration.set(snapshot.durationMs / 1000);
    this.#timestamp.set(Date.parse(snapshot.time) / 1000);
    this.#showPressure(snapshot);
    const { cgroup } = snapshot;
    for (const [metric, value] of [
      [this.#memoryLimit, cgroup?.memoryLimitBytes],
      [this.#memoryUsage, cgroup?.memoryUsageBytes],
      [this.#cpuLimit, cgroup?.cpuLimitCores],
    ] as const) {
      metric.reset();
      if (cgroup && value !== null && value !== undefined) metric.set({ cgroup: cgroup.path }, value);
    }
  }
}
