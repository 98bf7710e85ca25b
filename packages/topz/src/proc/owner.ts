import { fstatSync, readdirSync, statSync } from 'node:fs';
import { classifyError, type ReadFailure } from './files.ts';

/**
 * The effective uid of a process: the owner of its /proc/<pid> directory, which the kernel works out
 * afresh on each stat, even of a directory held open (so after setuid() too). Not /proc/<pid>/fd: for
 * a process that is not dumpable, as after setuid(), that shows root.
 */
export function readOwner(dir: string, dirFd: number | undefined): number | ReadFailure {
  try {
    if (dirFd !== undefined) return fstatSync(dirFd).uid;
    return statSync(dir, { throwIfNoEntry: false })?.uid ?? 'vanished';
  } catch (error) {
    return classifyError(error);
  }
}

/**
 * Counts a process's open fds. Linux ≥ 6.2 gives the count as the size of /proc/<pid>/fd, even to a
 * caller that may not list it: an fstat of the directory held open (cheapest), else a path stat. Older
 * kernels need a listing, which only the same uid or CAP_DAC_READ_SEARCH/CAP_DAC_OVERRIDE may do.
 */
export function countFds(dir: string, fdDir: number | undefined, bySize: boolean): number | ReadFailure {
  try {
    if (!bySize) return readdirSync(`${dir}/fd`).length;
    if (fdDir !== undefined) return fstatSync(fdDir).size;
    return statSync(`${dir}/fd`, { throwIfNoEntry: false })?.size ?? 'vanished';
  } catch (error) {
    return classifyError(error);
  }
}
