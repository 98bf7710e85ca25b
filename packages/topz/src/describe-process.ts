import type { ProcessReading } from './proc/process-handle.ts';
import { type CgroupLimits, type ProcessInfo, roundHundredth, roundTenth } from './snapshot.ts';
import type { SystemInfo } from './system.ts';

/** What is the same for every process of one sweep. */
export interface SweepFacts {
  system: SystemInfo;
  users: ReadonlyMap<number, string>;
  /** Seconds since boot when the sweep started. */
  uptime: number;
}

/** The previous reading of the same process, for its CPU%. */
export interface PreviousReading {
  ticks: number;
  readAt: number;
}

/**
 * Turns one reading into what topz serves. CPU% is the CPU time used since `previous` over the time
 * between the two reads; without one (a process new to the sampler) it is the average since the
 * process started, which for a process born since the last sweep is exactly its share so far.
 */
export function describeProcess(
  pid: number,
  reading: ProcessReading,
  previous: PreviousReading | undefined,
  startTime: string,
  cgroup: { path: string; limits: CgroupLimits } | null,
  facts: SweepFacts,
): ProcessInfo {
  const { stat } = reading;
  const { clockTicks, pageSize, memTotalBytes } = facts.system;
  const ticks = stat.utime + stat.stime;
  const startSeconds = stat.startTicks / clockTicks;
  const ageSeconds = Math.max(0, facts.uptime - startSeconds);
  const usedSeconds = previous ? Math.max(0, ticks - previous.ticks) / clockTicks : ticks / clockTicks;
  const overSeconds = previous ? (reading.readAt - previous.readAt) / 1000 : ageSeconds;
  const cpuPercent = (usedSeconds / Math.max(overSeconds, 1 / clockTicks)) * 100;
  const rssBytes = stat.rssPages * pageSize;
  const limits = cgroup?.limits;
  return {
    pid,
    ppid: stat.ppid,
    uid: reading.uid,
    user: reading.uid === null ? null : (facts.users.get(reading.uid) ?? null),
    state: stat.state,
    threads: stat.threads,
    nice: stat.nice,
    startTicks: stat.startTicks,
    startTime,
    ageSeconds: Math.round(ageSeconds),
    comm: stat.comm,
    cmdline: reading.cmdline,
    cpuPercent: roundTenth(cpuPercent),
    cpuSeconds: ticks / clockTicks,
    cpuUserSeconds: stat.utime / clockTicks,
    cpuSystemSeconds: stat.stime / clockTicks,
    minorFaults: stat.minorFaults,
    majorFaults: stat.majorFaults,
    voluntaryContextSwitches: reading.status?.voluntaryContextSwitches ?? null,
    involuntaryContextSwitches: reading.status?.involuntaryContextSwitches ?? null,
    rssBytes,
    pssBytes: reading.pssBytes,
    swapBytes: reading.status?.swapBytes ?? null,
    vszBytes: stat.vszBytes,
    memPercent: memTotalBytes > 0 ? roundHundredth((rssBytes / memTotalBytes) * 100) : 0,
    fds: reading.fds,
    fdLimit: reading.openFilesLimit,
    fdLimitPercent:
      reading.fds !== null && reading.openFilesLimit
        ? roundTenth((reading.fds / reading.openFilesLimit) * 100)
        : null,
    ioReadBytes: reading.io?.readBytes ?? null,
    ioWriteBytes: reading.io?.writeBytes ?? null,
    cgroup: cgroup?.path ?? null,
    memLimitPercent: limits?.memoryLimitBytes ? roundTenth((rssBytes / limits.memoryLimitBytes) * 100) : null,
    cpuLimitPercent: limits?.cpuLimitCores ? roundTenth(cpuPercent / limits.cpuLimitCores) : null,
  };
}
