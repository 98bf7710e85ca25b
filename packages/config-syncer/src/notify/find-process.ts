import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** The kernel's name of the process (`/proc/PID/comm`, at most 15 characters). */
  comm: string;
  /** argv[0], which a program may rewrite (`nginx: master process`). */
  argv0: string;
}

/** Reads every process of the PID namespace this /proc belongs to; processes that exit meanwhile are skipped. */
export async function listProcesses(procDir = '/proc'): Promise<ProcessInfo[]> {
  const pids = (await readdir(procDir)).filter((entry) => /^\d+$/.test(entry));
  const found = await Promise.all(
    pids.map(async (pid): Promise<ProcessInfo | undefined> => {
      try {
        const [stat, cmdline] = await Promise.all([
          readFile(join(procDir, pid, 'stat'), 'utf8'),
          readFile(join(procDir, pid, 'cmdline'), 'utf8'),
        ]);
        // `PID (COMM) STATE PPID ...`: COMM may hold spaces and parentheses, so split at the last `)`.
        const close = stat.lastIndexOf(')');
        const comm = stat.slice(stat.indexOf('(') + 1, close);
        const ppid = Number(stat.slice(close + 2).split(' ')[1]);
        return { pid: Number(pid), ppid, comm, argv0: cmdline.split('\0')[0] ?? '' };
      } catch {
        return undefined;
      }
    }),
  );
  return found.filter((info) => info !== undefined);
}

function matchesName(info: ProcessInfo, name: string): boolean {
  return info.comm === name || info.comm === name.slice(0, 15) || basename(info.argv0) === name;
}

/**
 * The processes named `name`, except children of another match: nginx's workers carry its name too,
 * and the reload signal is for the master. PID 1 is never assumed; it is matched by name like any other.
 */
export function selectByName(
  processes: readonly ProcessInfo[],
  name: string,
  selfPid: number,
): ProcessInfo[] {
  const matches = processes.filter((info) => info.pid !== selfPid && matchesName(info, name));
  const matchedPids = new Set(matches.map((info) => info.pid));
  return matches.filter((info) => !matchedPids.has(info.ppid));
}
