import { closeSync } from 'node:fs';
import type { SweepErrors } from '../snapshot.ts';
import { openProcFile, type ReadBuffer, type ReadFailure } from './files.ts';
import { countFds, readOwner } from './owner.ts';
import { decodeCmdline, type IoBytes, parseIo, parseStat, type StatFields } from './parse.ts';

/** What one sweep reads of one process; null where /proc would not let topz read it. */
export interface ProcessReading {
  stat: StatFields;
  cmdline: string;
  uid: number | null;
  fds: number | null;
  io: IoBytes | null;
  /** performance.now() when stat was read: the clock of this process's CPU%. */
  readAt: number;
}

interface HeldFiles {
  stat: number;
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
}

/**
 * The open /proc/<pid> files of one process, kept between sweeps: reading an open file again costs
 * about half of opening it anew, and an open file keeps naming the same process, so once that process
 * is gone it fails with ESRCH even if its PID was reused. Up to five fds per process.
 */
export class ProcessHandle {
  readonly pid: number;
  readonly #dir: string;
  readonly #stat: number;
  readonly #cmdline: number;
  /** Undefined when /proc refused it (io needs the ptrace read check); then not retried. */
  #io: number | undefined;
  /** The fd directory, held for counting by fstat; undefined when refused or of no use. */
  readonly #fdDir: number | undefined;
  /** The /proc/<pid> directory, held for its owner by fstat. */
  readonly #pidDir: number | undefined;

  private constructor(pid: number, dir: string, fds: HeldFiles) {
    this.pid = pid;
    this.#dir = dir;
    this.#stat = fds.stat;
    this.#cmdline = fds.cmdline;
    this.#io = fds.io;
    this.#fdDir = fds.fdDir;
    this.#pidDir = fds.pidDir;
  }

  static open(procRoot: string, pid: number, context: ReadContext): ProcessHandle | ReadFailure {
    const { errors } = context;
    const dir = `${procRoot}/${pid}`;
    const stat = openProcFile(`${dir}/stat`);
    if (typeof stat === 'string') return countFailure(errors, 'stat', stat);
    const cmdline = openProcFile(`${dir}/cmdline`);
    if (typeof cmdline === 'string') return closeAll([stat], countFailure(errors, 'cmdline', cmdline));
    const io = openProcFile(`${dir}/io`);
    if (io === 'vanished') return closeAll([stat, cmdline], io);
    if (typeof io === 'string') countFailure(errors, 'io', io);
    // Counting by fstat needs the directory open; where that is refused a path stat counts instead.
    const fdDir = context.countFdsBySize ? openProcFile(`${dir}/fd`) : undefined;
    const pidDir = openProcFile(dir);
    if (fdDir === 'vanished' || pidDir === 'vanished')
      return closeAll([stat, cmdline, io, fdDir, pidDir], 'vanished');
    const held = (fd: number | ReadFailure | undefined) => (typeof fd === 'number' ? fd : undefined);
    return new ProcessHandle(pid, dir, {
      stat,
      cmdline,
      io: held(io),
      fdDir: held(fdDir),
      pidDir: held(pidDir),
    });
  }

  /** Reads the process now; 'vanished' once it has exited (the caller then closes the handle). */
  read(context: ReadContext): ProcessReading | ReadFailure {
    const { buffer, errors } = context;
    const statLength = buffer.read(this.#stat);
    if (typeof statLength === 'string') return countFailure(errors, 'stat', statLength);
    const readAt = performance.now();
    const stat = parseStat(buffer.bytes, statLength);
    if (!stat) return countFailure(errors, 'stat', 'failed');
    const cmdlineLength = buffer.read(this.#cmdline);
    if (typeof cmdlineLength === 'string') return countFailure(errors, 'cmdline', cmdlineLength);
    const cmdline = decodeCmdline(buffer.bytes, cmdlineLength);
    const io = this.#readIo(context);
    const uid = readOwner(this.#dir, this.#pidDir);
    const fds = countFds(this.#dir, this.#fdDir, context.countFdsBySize);
    if (io === 'vanished' || uid === 'vanished' || fds === 'vanished') return 'vanished';
    if (typeof uid === 'string') countFailure(errors, 'owner', uid);
    if (typeof fds === 'string') countFailure(errors, 'fd', fds);
    return {
      stat,
      cmdline,
      uid: typeof uid === 'number' ? uid : null,
      fds: typeof fds === 'number' ? fds : null,
      io,
      readAt,
    };
  }

  #readIo({ buffer, errors }: ReadContext): IoBytes | null | 'vanished' {
    if (this.#io === undefined) return null;
    const length = buffer.read(this.#io);
    if (length === 'vanished') return length;
    if (typeof length === 'string') {
      // Refused now though it opened: the process changed credentials. Stop asking.
      countFailure(errors, 'io', length);
      closeSync(this.#io);
      this.#io = undefined;
      return null;
    }
    return parseIo(buffer.text(length)) ?? null;
  }

  close(): void {
    closeSync(this.#stat);
    closeSync(this.#cmdline);
    if (this.#io !== undefined) closeSync(this.#io);
    if (this.#fdDir !== undefined) closeSync(this.#fdDir);
    if (this.#pidDir !== undefined) closeSync(this.#pidDir);
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
