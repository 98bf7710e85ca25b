import { Counter, Gauge, type Registry } from 'prom-client';
import type { GroupSummary } from '../group/group-totals.ts';

type Labels = 'group' | 'mode' | 'type';

/**
 * name, help, kind, and the values of one group: `[labels, value]` pairs (most have one, unlabelled
 * beyond `group`); a null value leaves the series out.
 */
const table: [
  string,
  string,
  'gauge' | 'counter',
  (g: GroupSummary) => [Record<string, string>, number | null][],
][] = [
  [
    'topz_group_processes',
    'Processes in a group now (0 once all have exited).',
    'gauge',
    (g) => [[{}, g.processes]],
  ],
  ['topz_group_threads', 'Threads of the processes of a group.', 'gauge', (g) => [[{}, g.threads]]],
  [
    'topz_group_cpu_seconds_total',
    'CPU time of a group, by mode (user, system); exited members count on.',
    'counter',
    (g) => [
      [{ mode: 'user' }, g.cpuUserSeconds],
      [{ mode: 'system' }, g.cpuSystemSeconds],
    ],
  ],
  [
    'topz_group_resident_memory_bytes',
    'Resident set size of a group (sum of its processes).',
    'gauge',
    (g) => [[{}, g.rssBytes]],
  ],
  ['topz_group_swap_bytes', 'Memory of a group swapped out (VmSwap).', 'gauge', (g) => [[{}, g.swapBytes]]],
  [
    'topz_group_open_fds',
    'Open file descriptors of a group (members whose fds topz may count).',
    'gauge',
    (g) => [[{}, g.fds]],
  ],
  [
    'topz_group_worst_fd_ratio',
    'The highest share of its open-files limit (RLIMIT_NOFILE) any member uses, 0 to 1; absent when unknown.',
    'gauge',
    (g) => [[{}, g.worstFdRatio]],
  ],
  [
    'topz_group_io_read_bytes_total',
    'Bytes a group read from storage; exited members count on; absent while no member is readable.',
    'counter',
    (g) => [[{}, g.ioKnown ? g.readBytes : null]],
  ],
  [
    'topz_group_io_write_bytes_total',
    'Bytes a group wrote to storage; exited members count on; absent while no member is readable.',
    'counter',
    (g) => [[{}, g.ioKnown ? g.writeBytes : null]],
  ],
  [
    'topz_group_context_switches_total',
    'Context switches of the main threads of a group, by type (voluntary, involuntary); exited members count on.',
    'counter',
    (g) => [
      [{ type: 'voluntary' }, g.voluntaryContextSwitches],
      [{ type: 'involuntary' }, g.involuntaryContextSwitches],
    ],
  ],
  [
    'topz_group_minor_page_faults_total',
    'Minor page faults of a group; exited members count on.',
    'counter',
    (g) => [[{}, g.minorFaults]],
  ],
  [
    'topz_group_major_page_faults_total',
    'Major page faults of a group; exited members count on.',
    'counter',
    (g) => [[{}, g.majorFaults]],
  ],
  [
    'topz_group_oldest_start_time_seconds',
    'Start time of the oldest process of a group, since the Unix epoch; absent while it has none.',
    'gauge',
    (g) => [[{}, g.oldestStartSeconds]],
  ],
];

/** The `topz_group_*` series: one set per group of --group / --group-by, rebuilt from each summary. */
export class GroupSeries {
  readonly #series: {
    metric: Gauge<Labels> | Counter<Labels>;
    values: (g: GroupSummary) => [Record<string, string>, number | null][];
  }[];

  /** `collect` runs before each metric is read (see TopzMetrics). */
  constructor(registry: Registry, collect: () => void) {
    const registers = [registry];
    this.#series = table.map(([name, help, kind, values]) => {
      const labelNames = ['group', ...Object.keys(values(emptyGroup)[0]![0])] as Labels[];
      return {
        metric:
          kind === 'counter'
            ? new Counter({ name, help, labelNames, registers, collect })
            : new Gauge({ name, help, labelNames, registers, collect }),
        values,
      };
    });
  }

  update(groups: readonly GroupSummary[]): void {
    for (const { metric, values } of this.#series) {
      metric.reset();
      for (const group of groups) {
        for (const [labels, value] of values(group)) {
          if (value === null) continue;
          const all = { group: group.name, ...labels };
          if (metric instanceof Counter) metric.inc(all, value);
          else metric.set(all, value);
        }
      }
    }
  }
}

/** A group with every field set, to read each metric's extra label names from. */
const emptyGroup: GroupSummary = {
  name: '',
  processes: 0,
  threads: 0,
  rssBytes: 0,
  swapBytes: 0,
  fds: 0,
  worstFdRatio: 0,
  oldestStartSeconds: 0,
  ioKnown: true,
  cpuUserSeconds: 0,
  cpuSystemSeconds: 0,
  readBytes: 0,
  writeBytes: 0,
  voluntaryContextSwitches: 0,
  involuntaryContextSwitches: 0,
  minorFaults: 0,
  majorFaults: 0,
};
