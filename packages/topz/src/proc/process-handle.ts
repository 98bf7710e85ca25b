import { closeSync } from 'node:fs';
import type { SweepErrors } from '../snapshot.ts';
import { openProcFile, type ReadBuffer, type ReadFailure, readProcFile } from './files.ts';
import { countFds, readOwner } from './owner.ts';
import {
  decodeArgv,
  type IoBytes,
  parseIo,
  parseOpenFilesLimit,
  parseSmapsRollup,
  parseStat,
  parseStatus,
  type StatFields,
  type StatusFields,
} from './parse.ts';

/** What one sweep reads of one process; null where /proc would not let topz read it. */
export interface ProcessReading {
  stat: StatFields;
  status: StatusFields | null;
  /** From smaps_rollup (needs the ptrace read check), refreshed every ReadContext.detailIntervalMs. */
  pssBytes: number | null;
  /** Soft RLIMIT_NOFILE from /proc/<pid>/limits, refreshed with pssBytes. */
  openFilesLimit: number | null;
  cmdline: string;
  uid: number | null;
  fds: number | null;
  io: IoBytes | null;
  /** performance.now() when stat was read: the clock of this process's CPU%. */
  readAt: number;
}

/** The /proc/<pid> files a held handle keeps open. */
interface HeldFiles {
  stat: number;
  status: number;
  cmdline: number;
  io: number | undefined;
  fdDir: number | undefined;
  pidDir: number | undefined;
}

export interface ReadContext {
  buffer: ReadBuffer;
  errors: SweepErrors;
  /** Linux ≥ 6.2 reports the number of open fds as the size of /proc/<pid>/fd. */
  countFdsBySize: boolean;
  /** The command line as shown, from the arguments (redacted, or joined as they are). */
  showCommand: (args: string[]) => string;
  /** performance.now() at the start of the sweep. */
  now: number;
  /**
   * How old the slow fields (PSS, the open-files limit) may get before they are read again; 0 leaves
   * PSS unread (smaps_rollup walks the whole memory map: about a third of a sweep's CPU, read each time).
   */
  detailIntervalMs: number;
}

/**
 * The most fds a held handle keeps open: stat, status, cmdline, io, the fd directory and the pid
 * directory. smaps_rollup and limits are read by path, every detailIntervalMs only.
 */
export const fdsPerHeldHandle = 6;

/**
 * Reads one process's /proc/<pid> files, sweep after sweep. A held handle keeps them open: reading an
 * open file again costs about half of opening it anew, and an open file keeps naming the same process,
 * so once that process is gone it fails with ESRCH even if its PID was reused. Up to six fds per
 * process, so the sampler holds only as many as its fd budget allows; the others open each file by
 * path, read it and close it at once (one fd at a time), and tell a reused PID by its start time.
 */
export class ProcessHandle {
  readonly pid: number;
  readonly #dir: string;
  /** Undefined for a handle that reads by path. */
  readonly #held: HeldFiles | undefined;
  /** Set once /proc refused io (it needs the ptrace read check); then not asked again. */
  #ioRefused = false;
  /** The start time of the process first read: a different one means the PID names another process. */
  #startTicks: number | undefined;
  /** The arguments last read (NUL-separated) and how they are shown: a command line rarely changes. */
  #argv: string | undefined;
  #cmdline = '';
  /** Set once /proc refused smaps_rollup (the ptrace read check, as io). */
  #smapsRefused = false;
  #detailReadAt = Number.NEGATIVE_INFINITY;
  #pssBytes: number | null = null;
  #openFilesLimit: number | null = null;

  private constructor(pid: number, dir: string, held: HeldFiles | undefined, ioRefused: boolean) {
    this.pid = pid;
    this.#dir = dir;
    this.#held = held;
    this.#ioRefused = ioRefused;
  }

  /** Opens a handle that holds the process's files open (`hold`), or one that reads them by path. */
  static open(procRoot: string, pid: number, context: ReadContext, hold = true): ProcessHandle | ReadFailure {
    const dir = `${procRoot}/${pid}`;
    if (!hold) return new ProcessHandle(pid, dir, undefined, false);
    const { errors } = context;
    const stat = openProcFile(`${dir}/stat`);
    if (typeof stat === 'string') return countFailure(errors, 'stat', stat);
    const status = openProcFile(`${dir}/status`);
    if (typeof status === 'string') return closeAll([stat], countFailure(errors, 'status', status));
    const cmdline = openProcFile(`${dir}/cmdline`);
    if (typeof cmdline === 'string')
      return closeAll([stat, status], countFailure(errors, 'cmdline', cmdline));
    const io = openProcFile(`${dir}/io`);
    if (io === 'vanished') return closeAll([stat, status, cmdline], io);
    if (typeof io === 'string') countFailure(errors, 'io', io);
    // Counting by fstat needs the directory open; where that is refused a path stat counts instead.
    const fdDir = context.countFdsBySize ? openProcFile(`${dir}/fd`) : undefined;
    const pidDir = openProcFile(dir);
    if (fdDir === 'vanished' || pidDir === 'vanished')
      return closeAll([stat, status, cmdline, io, fdDir, pidDir], 'vanished');
    const kept = (fd: number | ReadFailure | undefined) => (typeof fd === 'number' ? fd : undefined);
    const held = { stat, status, cmdline, io: kept(io), fdDir: kept(fdDir), pidDir: kept(pidDir) };
    return new ProcessHandle(pid, dir, held, typeof io === 'string');
  }

  /** The fds this handle keeps open between sweeps. */
  get heldFds(): number {
    const held = this.#held;
    if (!held) return 0;
    return 3 + [held.io, held.fdDir, held.pidDir].filter((fd) => fd !== undefined).length;
  }

  /** Reads the process now; 'vanished' once it has exited (the caller then closes the handle). */
  read(context: ReadContext): ProcessReading | ReadFailure {
    const { buffer, errors } = context;
    const held = this.#held;
    const statLength = held ? buffer.read(held.stat) : readProcFile(`${this.#dir}/stat`, buffer);
    if (typeof statLength === 'string') return countFailure(errors, 'stat', statLength);
    const readAt = performance.now();
    const stat = parseStat(buffer.bytes, statLength);
    if (!stat) return countFailure(errors, 'stat', 'failed');
    if (this.#startTicks !== undefined && stat.startTicks !== this.#startTicks) return 'vanished';
    this.#startTicks = stat.startTicks;
    const cmdlineLength = held ? buffer.read(held.cmdline) : readProcFile(`${this.#dir}/cmdline`, buffer);
    if (typeof cmdlineLength === 'string') return countFailure(errors, 'cmdline', cmdlineLength);
    const argv = decodeArgv(buffer.bytes, cmdlineLength);
    if (argv !== this.#argv) {
      this.#argv = argv;
      this.#cmdline = argv === '' ? '' : context.showCommand(argv.split('\0'));
    }
    const cmdline = this.#cmdline;
    const statusLength = held ? buffer.read(held.status) : readProcFile(`${this.#dir}/status`, buffer);
    if (statusLength === 'vanished') return statusLength;
    if (typeof statusLength === 'string') countFailure(errors, 'status', statusLength);
    const status = typeof statusLength === 'number' ? (parseStatus(buffer.text(statusLength)) ?? null) : null;
    // With PSS off the limit is still read again now and then: prlimit(1) can change it.
    const detailEvery = context.detailIntervalMs || 60_000;
    if (context.now - this.#detailReadAt >= detailEvery) {
      // Processes first seen together (all of them at start) would all read smaps_rollup again in one
      // sweep: the first read is dated back by a random part of the interval to spread the next ones.
      const first = this.#detailReadAt === Number.NEGATIVE_INFINITY;
      this.#detailReadAt = context.now - (first ? Math.random() * detailEvery : 0);
      if (this.#readDetails(context) === 'vanished') return 'vanished';
    }
    const io = this.#readIo(context);
    const uid = readOwner(this.#dir, held?.pidDir);
    const fds = countFds(this.#dir, held?.fdDir, context.countFdsBySize);
    if (io === 'vanished' || uid === 'vanished' || fds === 'vanished') return 'vanished';
    if (typeof uid === 'string') countFailure(errors, 'owner', uid);
    if (typeof fds === 'string') countFailure(errors, 'fd', fds);
    return {
      stat,
      status,
      pssBytes: this.#pssBytes,
      openFilesLimit: this.#openFilesLimit,
      cmdline,
      uid: typeof uid === 'number' ? uid : null,
      fds: typeof fds === 'number' ? fds : null,
      io,
      readAt,
    };
  }

  #readIo({ buffer, errors }: ReadContext): IoBytes | null | 'vanished' {
    if (this.#ioRefused) return null;
    const held = this.#held;
    const length = held?.io !== undefined ? buffer.read(held.io) : readProcFile(`${this.#dir}/io`, buffer);
    if (length === 'vanished') return length;
    if (typeof length === 'string') {
      // Refused (a held file refused now though it opened: the process changed credentials). Stop asking.
      countFailure(errors, 'io', length);
      if (held?.io !== undefined) closeSync(held.io);
      if (held) held.io = undefined;
      this.#ioRefused = true;
      return null;
    }
    return parseIo(buffer.text(length)) ?? null;
  }

  /** The slow fields: the open-files limit, and PSS unless turned off or refused. */
  #readDetails({ buffer, errors, detailIntervalMs }: ReadContext): 'vanished' | undefined {
    const limits = readProcFile(`${this.#dir}/limits`, buffer);
    if (limits === 'vanished') return limits;
    if (typeof limits === 'string') countFailure(errors, 'limits', limits);
    else this.#openFilesLimit = parseOpenFilesLimit(buffer.text(limits));
    if (this.#smapsRefused || detailIntervalMs === 0) return undefined;
    const smaps = readProcFile(`${this.#dir}/smaps_rollup`, buffer);
    // A zombie has no memory map: ESRCH here, though the process is still listed and readable.
    if (smaps === 'vanished') {
      this.#pssBytes = null;
      return undefined;
    }
    if (typeof smaps === 'string') {
      countFailure(errors, 'smaps_rollup', smaps);
      this.#smapsRefused = true;
      this.#pssBytes = null;
      return undefined;
    }
    // Empty for a kernel thread or zombie (no memory map): no Pss line, null.
    this.#pssBytes = parseSmapsRollup(buffer.text(smaps));
    return undefined;
  }

  close(): void {
    const held = this.#held;
    if (!held) return;
    for (const fd of [held.stat, held.status, held.cmdline, held.io, held.fdDir, held.pidDir])
      if (fd !== undefined) closeSync(fd);
  }
}

/** Closes what was opened before a failure, and passes the failure on. */
function closeAll(fds: readonly (number | ReadFailure | undefined)[], failure: ReadFailure): ReadFailure {
  for (const fd of fds) if (typeof fd === 'number') closeSync(fd);
  return failure;
}

/** Counts a failure other than a vanished process, and passes it on. */
function countFailure(errors: SweepErrors, file: string, failure: ReadFailure): ReadFailure {
  if (failure !== 'vanished') errors.readErrors[file] = (errors.readErrors[file] ?? 0) + 1;
  return failure;
}
