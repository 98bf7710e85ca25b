import { closeSync, openSync, readSync } from 'node:fs';

/** Why a /proc read failed: the process is gone, /proc refused, or something else (e.g. out of fds). */
export type ReadFailure = 'vanished' | 'denied' | 'failed';

export function classifyError(error: unknown): ReadFailure {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
    case 'ESRCH':
      return 'vanished';
    case 'EACCES':
    case 'EPERM':
      return 'denied';
    default:
      return 'failed';
  }
}

/** Opens a /proc file read-only; a failure comes back as its kind rather than thrown. */
export function openProcFile(path: string): number | ReadFailure {
  try {
    return openSync(path, 'r');
  } catch (error) {
    return classifyError(error);
  }
}

/** Opens, reads whole into `buffer` and closes a /proc file: one fd, held only for the read. */
export function readProcFile(path: string, buffer: ReadBuffer): number | ReadFailure {
  const fd = openProcFile(path);
  if (typeof fd === 'string') return fd;
  try {
    return buffer.read(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * One growable buffer shared by every read of a sampler. /proc files are read whole from offset 0
 * with pread, so an fd kept open between sweeps reads fresh content each time.
 */
export class ReadBuffer {
  bytes: Buffer = Buffer.allocUnsafe(4096);
  readonly #max: number;

  constructor(maxBytes = 1 << 20) {
    this.#max = maxBytes;
  }

  /** Reads from the start of the file until a short read; returns the length or the failure. */
  read(fd: number): number | ReadFailure {
    let length = 0;
    try {
      for (;;) {
        const free = this.bytes.length - length;
        const count = readSync(fd, this.bytes, length, free, length);
        length += count;
        if (count < free || this.bytes.length >= this.#max) return length;
        const bigger = Buffer.allocUnsafe(this.bytes.length * 2);
        this.bytes.copy(bigger, 0, 0, length);
        this.bytes = bigger;
      }
    } catch (error) {
      return classifyError(error);
    }
  }

  text(length: number): string {
    return this.bytes.toString('latin1', 0, length);
  }
}
