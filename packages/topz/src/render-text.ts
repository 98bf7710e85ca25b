import { formatAge, formatBytes, formatCommand, formatCpuTime, formatPressure } from './format.ts';
import type { ProcessInfo, Snapshot } from './snapshot.ts';

export const sortKeys = ['cpu', 'mem', 'pid'] as const;
export type SortKey = (typeof sortKeys)[number];

export interface TableOptions {
  /** The original topz prints no header; ours does unless asked not to. */
  header?: boolean;
  /** More columns between MEM% and COMMAND, as --once shows. */
  wide?: boolean;
  sort?: SortKey;
  /** Cut lines to this many characters (a terminal's width). */
  width?: number;
}

interface Column {
  title: string;
  value: (process: ProcessInfo) => string;
  left?: boolean;
}

/** The original's columns, in its order: `PID CPU% MEM% cmdline`. */
const compatibleColumns: Column[] = [
  { title: 'PID', value: (p) => String(p.pid) },
  { title: 'CPU%', value: (p) => p.cpuPercent.toFixed(1) },
  { title: 'MEM%', value: (p) => p.memPercent.toFixed(2) },
];

const wideColumns: Column[] = [
  { title: 'PPID', value: (p) => String(p.ppid) },
  { title: 'USER', value: (p) => p.user ?? (p.uid === null ? '-' : String(p.uid)), left: true },
  { title: 'S', value: (p) => p.state, left: true },
  { title: 'THR', value: (p) => String(p.threads) },
  { title: 'NI', value: (p) => String(p.nice) },
  { title: 'RSS', value: (p) => formatBytes(p.rssBytes) },
  { title: 'VSZ', value: (p) => formatBytes(p.vszBytes) },
  { title: 'FDS', value: (p) => (p.fds === null ? '-' : String(p.fds)) },
  { title: 'READ', value: (p) => formatBytes(p.ioReadBytes) },
  { title: 'WRITE', value: (p) => formatBytes(p.ioWriteBytes) },
  { title: 'ELAPSED', value: (p) => formatAge(p.ageSeconds) },
  { title: 'TIME+', value: (p) => formatCpuTime(p.cpuSeconds) },
];

const comparators: Record<SortKey, (a: ProcessInfo, b: ProcessInfo) => number> = {
  cpu: (a, b) => b.cpuPercent - a.cpuPercent || b.rssBytes - a.rssBytes || a.pid - b.pid,
  mem: (a, b) => b.rssBytes - a.rssBytes || a.pid - b.pid,
  pid: (a, b) => a.pid - b.pid,
};

/** The process table of `/topz` and `--once`: aligned columns, COMMAND last and whole. */
export function renderTable(processes: readonly ProcessInfo[], options: TableOptions = {}): string {
  const columns = options.wide ? [...compatibleColumns, ...wideColumns] : compatibleColumns;
  const sorted = [...processes].sort(comparators[options.sort ?? 'cpu']);
  const rows = sorted.map((process) => [
    ...columns.map((column) => column.value(process)),
    formatCommand(process),
  ]);
  if (options.header !== false) rows.unshift([...columns.map((column) => column.title), 'COMMAND']);
  const widths = columns.map((_, index) => Math.max(...rows.map((row) => row[index]!.length)));
  const lines = rows.map((row) => {
    const cells = columns.map((column, index) =>
      column.left ? row[index]!.padEnd(widths[index]!) : row[index]!.padStart(widths[index]!),
    );
    const line = `${cells.join(' ')} ${row[columns.length]}`;
    return options.width && line.length > options.width ? line.slice(0, options.width) : line;
  });
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

const stateNames: Record<string, string> = {
  R: 'running',
  S: 'sleeping',
  D: 'disk sleep',
  Z: 'zombie',
  T: 'stopped',
  t: 'tracing stop',
  I: 'idle',
  X: 'dead',
  P: 'parked',
};

/** top's header lines: counts by state, CPU and memory totals, and topz's cgroup limits. */
export function renderSummary(snapshot: Snapshot): string {
  const { totals, cgroup } = snapshot;
  const states = Object.entries(totals.byState)
    .sort(([, a], [, b]) => b - a)
    .map(([state, count]) => `${count} ${stateNames[state] ?? state}`);
  const lines = [
    `topz ${snapshot.time}, CPU% over ${snapshot.intervalMs}ms, per core (100 = one core), ${snapshot.cpuCount} CPUs`,
    `Processes: ${totals.processes} (${states.join(', ')}), ${totals.threads} threads${snapshot.hidden ? `, ${snapshot.hidden} hidden` : ''}`,
    `CPU: ${totals.cpuPercent.toFixed(1)}%  RSS: ${formatBytes(totals.rssBytes)} of ${formatBytes(snapshot.memTotalBytes)} MemTotal`,
  ];
  if (cgroup) {
    const memory =
      cgroup.memoryLimitBytes === null ? 'no limit' : `limit ${formatBytes(cgroup.memoryLimitBytes)}`;
    const used = cgroup.memoryUsageBytes === null ? '' : `${formatBytes(cgroup.memoryUsageBytes)} used, `;
    const cpu = cgroup.cpuLimitCores === null ? 'no quota' : `quota ${cgroup.cpuLimitCores} cores`;
    lines.push(`cgroup v${cgroup.version} ${cgroup.path}: memory ${used}${memory}; CPU ${cpu}`);
  }
  lines.push(`Pressure of topz's cgroup: ${formatPressure(snapshot.pressure)}`);
  return `${lines.join('\n')}\n\n`;
}
