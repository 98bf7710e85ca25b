import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Facts about the machine that turn /proc numbers into units; read once when a sampler starts. */
export interface SystemInfo {
  /**
   * Clock ticks per second of /proc times (USER_HZ). It is 100 on every architecture Node runs on;
   * asking `getconf CLK_TCK` would need a shell, which a distroless image lacks.
   */
  clockTicks: number;
  pageSize: number;
  memTotalBytes: number;
  cpuCount: number;
  countFdsBySize: boolean;
  /** topz's own soft RLIMIT_NOFILE (Node raises it to the hard limit at start); Infinity when unlimited. */
  openFilesLimit: number;
}

export function readSystemInfo(procRoot: string): SystemInfo {
  return {
    clockTicks: 100,
    pageSize: readPageSize(procRoot),
    memTotalBytes: readMemTotal(procRoot),
    cpuCount: availableParallelism(),
    countFdsBySize: canCountFdsBySize(procRoot),
    openFilesLimit: readOpenFilesLimit(),
  };
}

/** Seconds since boot, the clock of /proc/<pid>/stat start times. */
export function readUptimeSeconds(procRoot: string): number {
  return Number.parseFloat(readFileSync(`${procRoot}/uptime`, 'latin1'));
}

/**
 * The kernel page size, which RSS in /proc/<pid>/stat counts in: 4 KiB on x86-64 but 16 or 64 KiB on
 * some arm64 kernels. Node has no sysconf, so it comes from the first mapping of topz's own smaps.
 */
function readPageSize(procRoot: string): number {
  try {
    const head = readHead(`${procRoot}/self/smaps`, 4096);
    const kib = /^KernelPageSize:\s+(\d+) kB$/m.exec(head)?.[1];
    return kib ? Number(kib) * 1024 : 4096;
  } catch {
    return 4096;
  }
}

/** The first bytes of a file: smaps of a big process runs to hundreds of KiB. */
function readHead(path: string, bytes: number): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    return buffer.toString('latin1', 0, readSync(fd, buffer, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}

function readMemTotal(procRoot: string): number {
  const kib = /^MemTotal:\s+(\d+) kB$/m.exec(readFileSync(`${procRoot}/meminfo`, 'latin1'))?.[1];
  return kib ? Number(kib) * 1024 : 0;
}

/** topz itself holds open fds, so a size of 0 on its own fd directory means the kernel does not count. */
function canCountFdsBySize(procRoot: string): boolean {
  try {
    return statSync(`${procRoot}/self/fd`).size > 0;
  } catch {
    return false;
  }
}

/**
 * topz's own open-files limit, as getrlimit(RLIMIT_NOFILE) would give it (Node has no getrlimit): the
 * soft column of "Max open files" in /proc/self/limits. Always the real /proc, whatever --proc-root
 * points at: it is topz's limit, not a watched process's. 1024 (the usual default) when unreadable.
 */
export function readOpenFilesLimit(limitsPath = '/proc/self/limits'): number {
  try {
    const soft = /^Max open files\s+(\S+)/m.exec(readFileSync(limitsPath, 'latin1'))?.[1];
    if (soft === 'unlimited') return Number.POSITIVE_INFINITY;
    return soft && /^\d+$/.test(soft) ? Number(soft) : 1024;
  } catch {
    return 1024;
  }
}
