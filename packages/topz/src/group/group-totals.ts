import type { ProcessInfo } from '../snapshot.ts';
import type { GroupNamer } from './group-namer.ts';

/** The counters a group adds up, as integers (CPU in clock ticks) so that sums never lose a bit. */
interface Counters {
  cpuUserTicks: number;
  cpuSystemTicks: number;
  readBytes: number;
  writeBytes: number;
  voluntaryContextSwitches: number;
  involuntaryContextSwitches: number;
  minorFaults: number;
  majorFaults: number;
}

const counterNames = [
  'cpuUserTicks',
  'cpuSystemTicks',
  'readBytes',
  'writeBytes',
  'voluntaryContextSwitches',
  'involuntaryContextSwitches',
  'minorFaults',
  'majorFaults',
] as const satisfies readonly (keyof Counters)[];

/** One group as the metrics show it: counters since topz started watching, gauges of the living. */
export interface GroupSummary {
  name: string;
  processes: number;
  threads: number;
  rssBytes: number;
  swapBytes: number;
  /** Open fds of the members whose fd directory topz may read. */
  fds: number;
  /** The highest fds ÷ RLIMIT_NOFILE among the members (process-exporter's worst_fd_ratio); null when none known. */
  worstFdRatio: number | null;
  /** Start of the oldest member, in seconds since the Unix epoch; null for a group with no member now. */
  oldestStartSeconds: number | null;
  /** False while no member's io has ever been readable: the I/O series are then left out, not 0. */
  ioKnown: boolean;
  cpuUserSeconds: number;
  cpuSystemSeconds: number;
  readBytes: number;
  writeBytes: number;
  voluntaryContextSwitches: number;
  involuntaryContextSwitches: number;
  minorFaults: number;
  majorFaults: number;
}

/** A process topz has seen, keyed by pid and start time (a reused PID is another member). */
interface Member {
  group: string | undefined;
  /** What the group was worked out from: a new command line or comm (exec) names it afresh. */
  cmdline: string;
  comm: string;
  /** The process's counters when it joined its group (0 for one seen from the start or born since). */
  baseline: Counters;
  /** Its counters at the last sweep; a field unreadable now keeps its last readable value. */
  last: Counters;
}

/** The group that takes the processes --group-by would name once --metrics-max-groups groups exist. */
export const overflowGroup = '(other)';

/** How many groups --group-by may make; the names of --group rules, which never fold. */
export interface GroupLimit {
  maxGroups: number;
  ruleNames: ReadonlySet<string>;
}

interface Group {
  /** What members that left (exited, or moved to another group by an exec) had added. */
  departed: Counters;
  ioKnown: boolean;
}

/**
 * Adds up processes by group, sweep after sweep. A group's counters only grow: when a member exits,
 * what it added stays in the group (as process-exporter keeps the dead's contribution), so a
 * restarting app's group counts on across restarts and rate() sees no reset. A group stays once seen,
 * with 0 processes while it has none. The group of a process is worked out once (the rules are
 * regexes) and again only when its command line or comm changes; it then leaves its old group with
 * what it had added there and counts in the new one from that point.
 */
export class GroupTotals {
  readonly #namer: GroupNamer;
  readonly #clockTicks: number;
  readonly #limit: GroupLimit;
  readonly #members = new Map<string, Member>();
  readonly #groups = new Map<string, Group>();
  /** Groups named by --group-by (not by a rule, not the overflow): what the limit counts. */
  #namedBy = 0;
  #foldedProcesses = 0;

  constructor(
    namer: GroupNamer,
    clockTicks: number,
    limit: GroupLimit = { maxGroups: Number.POSITIVE_INFINITY, ruleNames: new Set() },
  ) {
    this.#namer = namer;
    this.#clockTicks = clockTicks;
    this.#limit = limit;
  }

  /** Processes put in the overflow group since topz started, because the limit was reached. */
  get foldedProcesses(): number {
    return this.#foldedProcesses;
  }

  /** Takes in one sweep's processes and returns every group, by name. */
  update(processes: readonly ProcessInfo[]): GroupSummary[] {
    const seen = new Set<string>();
    const live = new Map<string, GroupSummary & Counters>();
    for (const process of processes) {
      const key = `${process.pid}:${process.startTicks}`;
      seen.add(key);
      const member = this.#track(key, process);
      if (member.group === undefined) continue;
      const group = this.#group(member.group);
      const summary = live.get(member.group) ?? this.#emptySummary(member.group, group);
      live.set(member.group, summary);
      if (process.ioReadBytes !== null) group.ioKnown = summary.ioKnown = true;
      summary.processes++;
      summary.threads += process.threads;
      summary.rssBytes += process.rssBytes;
      summary.swapBytes += process.swapBytes ?? 0;
      summary.fds += process.fds ?? 0;
      if (process.fds !== null && process.fdLimit) {
        summary.worstFdRatio = Math.max(summary.worstFdRatio ?? 0, process.fds / process.fdLimit);
      }
      const start = Date.parse(process.startTime) / 1000;
      if (summary.oldestStartSeconds === null || start < summary.oldestStartSeconds)
        summary.oldestStartSeconds = start;
      addCounters(summary, member.last, member.baseline);
    }
    for (const [key, member] of this.#members) {
      if (seen.has(key)) continue;
      this.#leave(member);
      this.#members.delete(key);
    }
    const summaries: GroupSummary[] = [];
    for (const [name, group] of this.#groups) {
      const summary = live.get(name) ?? this.#emptySummary(name, group);
      addCounters(summary, group.departed, undefined);
      summary.cpuUserSeconds = summary.cpuUserTicks / this.#clockTicks;
      summary.cpuSystemSeconds = summary.cpuSystemTicks / this.#clockTicks;
      const { cpuUserTicks: _user, cpuSystemTicks: _system, ...shown } = summary;
      summaries.push(shown);
    }
    return summaries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  #track(key: string, process: ProcessInfo): Member {
    let member = this.#members.get(key);
    const current = this.#counters(process, member?.last);
    if (!member) {
      const group = this.#name(process);
      member = { group, cmdline: process.cmdline, comm: process.comm, baseline: zero(), last: current };
      this.#members.set(key, member);
      if (group !== undefined) this.#group(group);
      return member;
    }
    if (member.cmdline !== process.cmdline || member.comm !== process.comm) {
      member.cmdline = process.cmdline;
      member.comm = process.comm;
      const group = this.#name(process);
      if (group !== member.group) {
        this.#leave(member);
        member.group = group;
        member.baseline = current;
        if (group !== undefined) this.#group(group);
      }
    }
    member.last = current;
    return member;
  }

  /**
   * The group of a process, or the overflow group when its --group-by name would be a new group past
   * the limit: groups stay once seen, so without a limit a shell loop with changing arguments under
   * `--group-by cmdline` would add series without end.
   */
  #name(process: ProcessInfo): string | undefined {
    const name = this.#namer(process);
    if (name === undefined || this.#groups.has(name) || this.#limit.ruleNames.has(name)) return name;
    if (this.#namedBy < this.#limit.maxGroups) {
      this.#namedBy++;
      return name;
    }
    this.#foldedProcesses++;
    return overflowGroup;
  }

  /** A member leaves its group: what it added there stays. */
  #leave(member: Member): void {
    if (member.group === undefined) return;
    const departed = this.#group(member.group).departed;
    for (const name of counterNames) departed[name] += member.last[name] - member.baseline[name];
  }

  #group(name: string): Group {
    let group = this.#groups.get(name);
    if (!group) {
      group = { departed: zero(), ioKnown: false };
      this.#groups.set(name, group);
    }
    return group;
  }

  #counters(process: ProcessInfo, last: Counters | undefined): Counters {
    const ticks = this.#clockTicks;
    return {
      cpuUserTicks: Math.round(process.cpuUserSeconds * ticks),
      cpuSystemTicks: Math.round(process.cpuSystemSeconds * ticks),
      readBytes: process.ioReadBytes ?? last?.readBytes ?? 0,
      writeBytes: process.ioWriteBytes ?? last?.writeBytes ?? 0,
      voluntaryContextSwitches: process.voluntaryContextSwitches ?? last?.voluntaryContextSwitches ?? 0,
      involuntaryContextSwitches: process.involuntaryContextSwitches ?? last?.involuntaryContextSwitches ?? 0,
      minorFaults: process.minorFaults,
      majorFaults: process.majorFaults,
    };
  }

  #emptySummary(name: string, group: Group): GroupSummary & Counters {
    return {
      name,
      processes: 0,
      threads: 0,
      rssBytes: 0,
      swapBytes: 0,
      fds: 0,
      worstFdRatio: null,
      oldestStartSeconds: null,
      ioKnown: group.ioKnown,
      cpuUserSeconds: 0,
      cpuSystemSeconds: 0,
      ...zero(),
    };
  }
}

function zero(): Counters {
  return {
    cpuUserTicks: 0,
    cpuSystemTicks: 0,
    readBytes: 0,
    writeBytes: 0,
    voluntaryContextSwitches: 0,
    involuntaryContextSwitches: 0,
    minorFaults: 0,
    majorFaults: 0,
  };
}

function addCounters(into: Counters, add: Counters, minus: Counters | undefined): void {
  for (const name of counterNames) into[name] += add[name] - (minus?.[name] ?? 0);
}
