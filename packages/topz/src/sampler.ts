import { readdirSync } from 'node:fs';
import { CgroupLocator, LimitsCache, readCgroupMounts } from './cgroup/locator.ts';
import type { CgroupLocation } from './cgroup/paths.ts';
import { type PressureDirs, readCgroupPressure } from './cgroup/pressure.ts';
import { describeProcess, type PreviousReading, type SweepFacts } from './describe-process.ts';
import { ReadBuffer } from './proc/files.ts';
import {
  fdsPerHeldHandle,
  ProcessHandle,
  type ProcessReading,
  type ReadContext,
} from './proc/process-handle.ts';
import { redactCommandLine } from './redact/command-line.ts';
import { type ProcessInfo, roundTenth, type Snapshot, type SweepErrors, sumTotals } from './snapshot.ts';
import { readSystemInfo, readUptimeSeconds, type SystemInfo } from './system.ts';

export interface SamplerOptions {
  /** Where procfs is mounted. */
  procRoot?: string;
  /** uid → user name. */
  users?: ReadonlyMap<number, string>;
  /** Processes to leave out of snapshots (still read, so their CPU% stays current). */
  hide?: (process: ProcessInfo) => boolean;
  /**
   * Most fds the sampler keeps open between sweeps (default: half of topz's open-files limit, the
   * other half left to the server, logs and the reads themselves).
   */
  maxHeldFds?: number;
  /** Show command lines whole, secrets included (default: redacted, see redactArguments). */
  showFullCommandLines?: boolean;
  /** How often PSS and the open-files limit of a process are read again (default 10 s; 0: PSS never). */
  detailIntervalMs?: number;
}

/** What the sampler keeps of a process between sweeps. */
interface Tracked {
  handle: ProcessHandle;
  previous: PreviousReading | undefined;
  /** Fixed for the life of the process, so worked out once. */
  startTime: string | undefined;
  cgroup: CgroupLocation | null;
  /** The fds its handle held when opened, counted against the budget until it is dropped. */
  heldFds: number;
}

/**
 * Reads every process of the PID namespace from /proc in one synchronous sweep. CPU% is the CPU time a
 * process used since this sampler's previous sweep over the time between the two reads (top's
 * method); a process seen for the first time gets its average since it started. Files stay open
 * between sweeps (see ProcessHandle) up to an fd budget, whatever the number of processes; `close()`
 * releases them.
 */
export class Sampler {
  readonly system: SystemInfo;
  readonly #procRoot: string;
  readonly #users: ReadonlyMap<number, string>;
  readonly #hide: (process: ProcessInfo) => boolean;
  readonly #tracked = new Map<number, Tracked>();
  readonly #buffer = new ReadBuffer();
  readonly #cgroups: CgroupLocator;
  readonly #selfCgroup: CgroupLocation | null;
  readonly #selfPressure: PressureDirs;
  /** Wall-clock boot time, fixed once so start times do not jitter between sweeps. */
  readonly #bootTimeMs: number;
  readonly #maxHeldFds: number;
  readonly #showCommand: (args: string[]) => string;
  readonly #detailIntervalMs: number;
  #heldFds = 0;
  #lastSweepAt: number | undefined;

  constructor(options: SamplerOptions = {}) {
    this.#procRoot = options.procRoot ?? '/proc';
    this.#users = options.users ?? new Map();
    this.#hide = options.hide ?? (() => false);
    this.system = readSystemInfo(this.#procRoot);
    this.#cgroups = new CgroupLocator(this.#procRoot, readCgroupMounts(this.#procRoot));
    this.#selfCgroup = this.#cgroups.locate('self');
    this.#selfPressure = this.#cgroups.pressureDirs('self') ?? {
      unified: null,
      unifiedPath: null,
      cpuV1: null,
      memoryV1: null,
    };
    this.#bootTimeMs = Date.now() - readUptimeSeconds(this.#procRoot) * 1000;
    this.#maxHeldFds = options.maxHeldFds ?? Math.floor(this.system.openFilesLimit / 2);
    this.#detailIntervalMs = options.detailIntervalMs ?? 10_000;
    this.#showCommand = options.showFullCommandLines ? (args) => args.join(' ') : redactCommandLine;
  }

  /** The fds the sampler keeps open now (never more than its budget). */
  get heldFds(): number {
    return this.#heldFds;
  }

  /** Reads every process now. */
  sample(): Snapshot {
    return this.samplePids(listPids(this.#procRoot));
  }

  /** Reads the given PIDs (a listing of /proc); those gone by the time they are read are skipped. */
  samplePids(pids: readonly number[]): Snapshot {
    const startedAt = performance.now();
    const now = Date.now();
    const facts: SweepFacts = {
      system: this.system,
      users: this.#users,
      uptime: readUptimeSeconds(this.#procRoot),
    };
    const errors: SweepErrors = { vanished: 0, readErrors: {} };
    const context: ReadContext = {
      buffer: this.#buffer,
      errors,
      countFdsBySize: this.system.countFdsBySize,
      showCommand: this.#showCommand,
      now: startedAt,
      detailIntervalMs: this.#detailIntervalMs,
    };
    const limits = new LimitsCache();
    const listed = new Set(pids);
    const processes: ProcessInfo[] = [];
    let hidden = 0;
    for (const pid of pids) {
      const read = this.#read(pid, context);
      if (!read) continue;
      const { tracked, reading } = read;
      tracked.startTime ??= new Date(
        this.#bootTimeMs + (reading.stat.startTicks / this.system.clockTicks) * 1000,
      ).toISOString();
      const cgroup = tracked.cgroup
        ? { path: tracked.cgroup.path, limits: limits.get(tracked.cgroup) }
        : null;
      const process = describeProcess(pid, reading, tracked.previous, tracked.startTime, cgroup, facts);
      tracked.previous = { ticks: reading.stat.utime + reading.stat.stime, readAt: reading.readAt };
      if (this.#hide(process)) hidden++;
      else processes.push(process);
    }
    for (const [pid, tracked] of this.#tracked) if (!listed.has(pid)) this.#drop(tracked);
    const intervalMs = this.#lastSweepAt === undefined ? 0 : startedAt - this.#lastSweepAt;
    this.#lastSweepAt = startedAt;
    return {
      time: new Date(now).toISOString(),
      intervalMs: Math.round(intervalMs),
      durationMs: roundTenth(performance.now() - startedAt),
      cpuScale: 'percent of one core: 100 = one full core',
      cpuCount: this.system.cpuCount,
      memTotalBytes: this.system.memTotalBytes,
      cgroup: this.#selfCgroup ? limits.get(this.#selfCgroup) : null,
      pressure: readCgroupPressure(this.#selfPressure),
      totals: sumTotals(processes),
      hidden,
      errors,
      processes,
    };
  }

  /** Closes every file the sampler holds open. */
  close(): void {
    for (const tracked of this.#tracked.values()) this.#drop(tracked);
  }

  #read(pid: number, context: ReadContext): { tracked: Tracked; reading: ProcessReading } | undefined {
    const known = this.#tracked.get(pid);
    if (known) {
      const reading = known.handle.read(context);
      if (typeof reading !== 'string') return { tracked: known, reading };
      this.#drop(known);
      // Gone, but the PID is listed: it may already name a new process, opened afresh below.
      if (reading !== 'vanished') return undefined;
    }
    // The first processes seen keep their files open while the budget lasts; the rest read by path.
    const hold = this.#heldFds + fdsPerHeldHandle <= this.#maxHeldFds;
    const handle = ProcessHandle.open(this.#procRoot, pid, context, hold);
    if (typeof handle === 'string') {
      if (handle === 'vanished') context.errors.vanished++;
      return undefined;
    }
    const tracked: Tracked = {
      handle,
      previous: undefined,
      startTime: undefined,
      cgroup: this.#cgroups.locate(pid),
      heldFds: handle.heldFds,
    };
    this.#tracked.set(pid, tracked);
    this.#heldFds += tracked.heldFds;
    const reading = handle.read(context);
    if (typeof reading !== 'string') return { tracked, reading };
    this.#drop(tracked);
    if (reading === 'vanished') context.errors.vanished++;
    return undefined;
  }

  #drop(tracked: Tracked): void {
    this.#heldFds -= tracked.heldFds;
    tracked.handle.close();
    this.#tracked.delete(tracked.handle.pid);
  }
}

/** The PIDs in /proc, ascending (processes only: threads live under /proc/<pid>/task). */
export function listPids(procRoot: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync(procRoot)) {
    const first = name.charCodeAt(0);
    if (first >= 48 && first <= 57) pids.push(Number(name));
  }
  return pids.sort((a, b) => a - b);
}
