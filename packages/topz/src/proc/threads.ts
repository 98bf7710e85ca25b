import { readdirSync } from 'node:fs';
import { roundTenth } from '../snapshot.ts';
import { classifyError, ReadBuffer, readProcFile } from './files.ts';
import { parseStat, parseStatus } from './parse.ts';

/** One thread of a process (/proc/<pid>/task/<tid>). */
export interface ThreadInfo {
  tid: number;
  /** The thread's name (its comm: set by pthread_setname_np, prctl or the runtime). */
  name: string;
  state: string;
  /** CPU over the time since the previous request for this process (else since the thread started), per core. */
  cpuPercent: number;
  cpuUserSeconds: number;
  cpuSystemSeconds: number;
  voluntaryContextSwitches: number | null;
  involuntaryContextSwitches: number | null;
  startTicks: number;
}

/** The JSON of `/api/processes/<pid>/threads`. */
export interface ThreadsView {
  pid: number;
  time: string;
  /** The window of cpuPercent: time since the previous request for this process; 0 on the first. */
  intervalMs: number;
  cpuScale: 'percent of one core: 100 = one full core';
  threads: ThreadInfo[];
}

/** What /api/processes/<pid>/threads answers: the threads, or that the process exited since the snapshot. */
export type ThreadsAnswer = ThreadsView | { pid: number; exited: true; threads: [] };

interface Previous {
  /** Per `tid:startTicks`: CPU ticks at the last read. */
  ticks: Map<string, number>;
  readAt: number;
}

/** Processes whose last thread reading is kept for the next request's CPU%. */
const maxRemembered = 16;

/**
 * Reads a process's threads on request, not in the sweep (a sweep stays one read per process however
 * many threads there are). CPU% is measured between two requests for the same process, as the page
 * polls once per interval; a thread new since then (or a first request) gets its average since it
 * started, as describeProcess does for processes.
 */
export class ThreadReader {
  readonly #procRoot: string;
  readonly #clockTicks: number;
  readonly #buffer = new ReadBuffer();
  readonly #previous = new Map<string, Previous>();

  constructor(procRoot: string, clockTicks = 100) {
    this.#procRoot = procRoot;
    this.#clockTicks = clockTicks;
  }

  /** The threads of `pid`, which must still be the process started at `startTicks`; 'vanished' if gone. */
  read(pid: number, startTicks: number, uptimeSeconds: number): ThreadsView | 'vanished' {
    const dir = `${this.#procRoot}/${pid}/task`;
    let tids: number[];
    try {
      tids = readdirSync(dir)
        .map(Number)
        .sort((a, b) => a - b);
    } catch (error) {
      if (classifyError(error) === 'vanished') return 'vanished';
      throw error;
    }
    const key = `${pid}:${startTicks}`;
    const previous = this.#previous.get(key);
    const readAt = performance.now();
    const ticks = new Map<string, number>();
    const threads: ThreadInfo[] = [];
    for (const tid of tids) {
      const statLength = readProcFile(`${dir}/${tid}/stat`, this.#buffer);
      if (typeof statLength === 'string') continue; // exited since the listing
      const stat = parseStat(this.#buffer.bytes, statLength);
      if (!stat) continue;
      if (tid === pid && stat.startTicks !== startTicks) return 'vanished';
      const statusLength = readProcFile(`${dir}/${tid}/status`, this.#buffer);
      const status =
        typeof statusLength === 'number' ? parseStatus(this.#buffer.text(statusLength)) : undefined;
      const used = stat.utime + stat.stime;
      const threadKey = `${tid}:${stat.startTicks}`;
      ticks.set(threadKey, used);
      const before = previous?.ticks.get(threadKey);
      const cpuPercent =
        previous && before !== undefined
          ? (Math.max(0, used - before) /
              this.#clockTicks /
              Math.max((readAt - previous.readAt) / 1000, 0.01)) *
            100
          : (used / this.#clockTicks / Math.max(uptimeSeconds - stat.startTicks / this.#clockTicks, 0.01)) *
            100;
      threads.push({
        tid,
        name: stat.comm,
        state: stat.state,
        cpuPercent: roundTenth(cpuPercent),
        cpuUserSeconds: stat.utime / this.#clockTicks,
        cpuSystemSeconds: stat.stime / this.#clockTicks,
        voluntaryContextSwitches: status?.voluntaryContextSwitches ?? null,
        involuntaryContextSwitches: status?.involuntaryContextSwitches ?? null,
        startTicks: stat.startTicks,
      });
    }
    if (threads.length === 0) return 'vanished';
    this.#previous.delete(key);
    this.#previous.set(key, { ticks, readAt });
    // Forget the process asked about longest ago (a Map keeps insertion order).
    if (this.#previous.size > maxRemembered) this.#previous.delete(this.#previous.keys().next().value!);
    return {
      pid,
      time: new Date().toISOString(),
      intervalMs: previous ? Math.round(readAt - previous.readAt) : 0,
      cpuScale: 'percent of one core: 100 = one full core',
      threads,
    };
  }
}
