import type { CgroupPressure } from './cgroup/pressure.ts';

/**
 * The shapes topz serves: one process, the limits of a cgroup, and a whole snapshot. The JSON of
 * `/api/processes` and `--once --format json` is a Snapshot. Fields /proc would not let topz read are
 * null, never an error.
 */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Effective uid (owner of /proc/<pid>); null when unreadable. */
  uid: number | null;
  /** Name of `uid` in topz's own /etc/passwd, when it has one. */
  user: string | null;
  /** One letter as in ps: R running, S sleeping, D disk sleep, Z zombie, T stopped, I idle… */
  state: string;
  threads: number;
  nice: number;
  /** Start time in clock ticks after boot: with `pid` it names one process across PID reuse. */
  startTicks: number;
  startTime: string;
  ageSeconds: number;
  comm: string;
  /** Arguments joined by spaces; empty for zombies and kernel threads. */
  cmdline: string;
  /** CPU used over the last interval, in percent of one core: 100 = one full core (top's scale). */
  cpuPercent: number;
  /** User plus system CPU time since the process started. */
  cpuSeconds: number;
  /** The two parts of cpuSeconds: in the process's own code, and in the kernel on its behalf. */
  cpuUserSeconds: number;
  cpuSystemSeconds: number;
  /** Page faults since the process started: served from memory (minor), and needing a read (major). */
  minorFaults: number;
  majorFaults: number;
  /**
   * Times the process's main thread gave up the CPU (waiting for I/O, a lock, sleep) and was made to
   * (preempted): /proc/<pid>/status counts the main thread only, as process-exporter reads it; the
   * other threads' are in the thread view.
   */
  voluntaryContextSwitches: number | null;
  involuntaryContextSwitches: number | null;
  rssBytes: number;
  /**
   * Proportional set size: RSS with each shared page divided among the processes sharing it, from
   * smaps_rollup (needs the ptrace read check, as io); refreshed every --pss-interval, null when unread.
   */
  pssBytes: number | null;
  /** Memory swapped out (VmSwap of /proc/<pid>/status); null for kernel threads and zombies. */
  swapBytes: number | null;
  vszBytes: number;
  /** RSS as a share of the machine's MemTotal, as top and the original topz show it. */
  memPercent: number;
  /** Open file descriptors. */
  fds: number | null;
  /** The process's soft RLIMIT_NOFILE ("Max open files" of /proc/<pid>/limits): where open() fails. */
  fdLimit: number | null;
  /** fds as a share of fdLimit; null when either is unknown. */
  fdLimitPercent: number | null;
  /** Bytes read from and written to storage (read_bytes, write_bytes of /proc/<pid>/io). */
  ioReadBytes: number | null;
  ioWriteBytes: number | null;
  /** The process's cgroup path, as in /proc/<pid>/cgroup (v2, else the v1 memory controller's). */
  cgroup: string | null;
  /** RSS as a share of its cgroup's memory limit; null without a readable limit. */
  memLimitPercent: number | null;
  /** CPU as a share of its cgroup's CPU quota; null without a readable quota. */
  cpuLimitPercent: number | null;
}

export interface CgroupLimits {
  /** The cgroup path, as in /proc/<pid>/cgroup. */
  path: string;
  version: 1 | 2;
  /** The lowest memory limit of the cgroup and its ancestors; null when unlimited. */
  memoryLimitBytes: number | null;
  memoryUsageBytes: number | null;
  /** The lowest CPU quota of the cgroup and its ancestors, in cores (quota ÷ period); null when unlimited. */
  cpuLimitCores: number | null;
}

export type { CgroupPressure } from './cgroup/pressure.ts';

export interface Totals {
  processes: number;
  threads: number;
  cpuPercent: number;
  rssBytes: number;
  /** Processes by state letter. */
  byState: Record<string, number>;
}

/** What went wrong in the sweep that made this snapshot; never fatal. */
export interface SweepErrors {
  /** Processes listed in /proc that were gone before topz finished reading them. */
  vanished: number;
  /** Reads that failed for another reason (permission, fd limit), by file. */
  readErrors: Record<string, number>;
}

export interface Snapshot {
  /** When the sweep started. */
  time: string;
  /** Time since the previous sweep: the window CPU% is measured over. */
  intervalMs: number;
  /** How long reading /proc took. */
  durationMs: number;
  cpuScale: 'percent of one core: 100 = one full core';
  cpuCount: number;
  memTotalBytes: number;
  /** The limits of topz's own cgroup; null when no cgroup file system is readable. */
  cgroup: CgroupLimits | null;
  /**
   * Pressure (PSI), CPU throttling and OOM kills of topz's own cgroup (in a pod, the app's cgroup is
   * not mounted in topz's container); each null where unreadable, `unavailable` saying why.
   */
  pressure: CgroupPressure;
  totals: Totals;
  /** Processes left out by --hide-self / --hide-pause. */
  hidden: number;
  errors: SweepErrors;
  processes: ProcessInfo[];
}

export function sumTotals(processes: readonly ProcessInfo[]): Totals {
  const totals: Totals = { processes: processes.length, threads: 0, cpuPercent: 0, rssBytes: 0, byState: {} };
  for (const process of processes) {
    totals.threads += process.threads;
    totals.cpuPercent += process.cpuPercent;
    totals.rssBytes += process.rssBytes;
    totals.byState[process.state] = (totals.byState[process.state] ?? 0) + 1;
  }
  totals.cpuPercent = roundTenth(totals.cpuPercent);
  return totals;
}

export function roundTenth(value: number): number {
  return Math.round(value * 10) / 10;
}

export function roundHundredth(value: number): number {
  return Math.round(value * 100) / 100;
}
