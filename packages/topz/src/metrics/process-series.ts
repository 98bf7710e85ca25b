import { Counter, Gauge, type Registry } from 'prom-client';
import type { ProcessInfo } from '../snapshot.ts';

type Series = {
  metric: Gauge<'pid' | 'comm'> | Counter<'pid' | 'comm'>;
  value: (p: ProcessInfo) => number | null;
};

/** name, help, kind, value: one row per per-process metric. A null value leaves the series out. */
const table: [string, string, 'gauge' | 'counter', (p: ProcessInfo) => number | null][] = [
  [
    'topz_process_cpu_seconds_total',
    'User plus system CPU time of a watched process.',
    'counter',
    (p) => p.cpuSeconds,
  ],
  [
    'topz_process_cpu_user_seconds_total',
    'CPU time a watched process spent in its own code (user mode).',
    'counter',
    (p) => p.cpuUserSeconds,
  ],
  [
    'topz_process_cpu_system_seconds_total',
    'CPU time the kernel spent on behalf of a watched process (system mode).',
    'counter',
    (p) => p.cpuSystemSeconds,
  ],
  [
    'topz_process_minor_page_faults_total',
    'Page faults of a watched process served without reading from disk.',
    'counter',
    (p) => p.minorFaults,
  ],
  [
    'topz_process_major_page_faults_total',
    'Page faults of a watched process that needed a read from disk.',
    'counter',
    (p) => p.majorFaults,
  ],
  [
    'topz_process_voluntary_context_switches_total',
    'Times the main thread of a watched process gave up the CPU before its time slice ended (waiting for I/O, a lock, sleep).',
    'counter',
    (p) => p.voluntaryContextSwitches,
  ],
  [
    'topz_process_involuntary_context_switches_total',
    'Times the main thread of a watched process was preempted: a sign of CPU contention or throttling.',
    'counter',
    (p) => p.involuntaryContextSwitches,
  ],
  [
    'topz_process_cpu_usage_cores',
    'CPU a watched process used over the last sampling interval, in cores (1 = one full core).',
    'gauge',
    (p) => p.cpuPercent / 100,
  ],
  [
    'topz_process_resident_memory_bytes',
    'Resident set size of a watched process.',
    'gauge',
    (p) => p.rssBytes,
  ],
  [
    'topz_process_proportional_memory_bytes',
    'Proportional set size (PSS, shared pages split among their sharers) of a watched process, from smaps_rollup every --pss-interval; absent where /proc refuses.',
    'gauge',
    (p) => p.pssBytes,
  ],
  [
    'topz_process_swap_bytes',
    'Memory of a watched process swapped out (VmSwap).',
    'gauge',
    (p) => p.swapBytes,
  ],
  [
    'topz_process_virtual_memory_bytes',
    'Virtual memory size of a watched process.',
    'gauge',
    (p) => p.vszBytes,
  ],
  ['topz_process_threads', 'Threads of a watched process.', 'gauge', (p) => p.threads],
  [
    'topz_process_open_fds',
    'Open file descriptors of a watched process; absent where /proc refuses.',
    'gauge',
    (p) => p.fds,
  ],
  [
    'topz_process_max_fds',
    "A watched process's open-files limit (soft RLIMIT_NOFILE): open() fails with EMFILE beyond it.",
    'gauge',
    (p) => p.fdLimit,
  ],
  [
    'topz_process_io_read_bytes_total',
    'Bytes a watched process read from storage; absent where /proc refuses (needs the ptrace read check).',
    'counter',
    (p) => p.ioReadBytes,
  ],
  [
    'topz_process_io_write_bytes_total',
    'Bytes a watched process wrote to storage; absent where /proc refuses (needs the ptrace read check).',
    'counter',
    (p) => p.ioWriteBytes,
  ],
  [
    'topz_process_start_time_seconds',
    'Start time of a watched process, in seconds since the Unix epoch.',
    'gauge',
    (p) => Date.parse(p.startTime) / 1000,
  ],
];

/**
 * Series labelled `pid` and `comm` for each watched process. Every update rebuilds them from a
 * snapshot, so a process that exits (or leaves the selection) loses its series at once; counters are
 * set to the process's own total, which only grows while the process lives.
 */
export class ProcessSeries {
  readonly #series: Series[];

  /** `collect` runs before each metric is read (see TopzMetrics). */
  constructor(registry: Registry, collect: () => void) {
    const registers = [registry];
    const labelNames = ['pid', 'comm'] as const;
    this.#series = table.map(([name, help, kind, value]) => ({
      metric:
        kind === 'counter'
          ? new Counter({ name, help, labelNames, registers, collect })
          : new Gauge({ name, help, labelNames, registers, collect }),
      value,
    }));
  }

  update(processes: readonly ProcessInfo[]): void {
    for (const { metric, value } of this.#series) {
      metric.reset();
      for (const process of processes) {
        const number = value(process);
        if (number === null) continue;
        const labels = { pid: String(process.pid), comm: process.comm };
        if (metric instanceof Counter) metric.inc(labels, number);
        else metric.set(labels, number);
      }
    }
  }
}
