import { readFileSync } from 'node:fs';
import type { CgroupLimits } from '../snapshot.ts';
import { readCgroupLimits } from './limits.ts';
import {
  type CgroupLocation,
  type CgroupMount,
  locateCgroup,
  locatePressureDirs,
  parseCgroupMounts,
  parseProcCgroup,
} from './paths.ts';
import type { PressureDirs } from './pressure.ts';

/** The cgroup hierarchies topz has mounted (from its own mountinfo); empty when it has none. */
export function readCgroupMounts(procRoot: string): CgroupMount[] {
  try {
    return parseCgroupMounts(readFileSync(`${procRoot}/self/mountinfo`, 'latin1'));
  } catch {
    return [];
  }
}

/** Where a process's cgroup is; null when it has gone, or topz cannot see that cgroup. */
export function locateProcessCgroup(
  procRoot: string,
  pid: number | 'self',
  mounts: readonly CgroupMount[],
): CgroupLocation | null {
  return new CgroupLocator(procRoot, mounts).locate(pid);
}

/**
 * Finds processes' cgroups, handing out one location object per distinct cgroup (most processes share
 * a few), so that limits can be cached per cgroup.
 */
export class CgroupLocator {
  readonly #procRoot: string;
  readonly #mounts: readonly CgroupMount[];
  readonly #byContent = new Map<string, CgroupLocation | null>();

  constructor(procRoot: string, mounts: readonly CgroupMount[]) {
    this.#procRoot = procRoot;
    this.#mounts = mounts;
  }

  /** Where a process's pressure files are; null when its cgroup file is unreadable or none is mounted. */
  pressureDirs(pid: number | 'self'): PressureDirs | null {
    if (this.#mounts.length === 0) return null;
    try {
      return locatePressureDirs(
        parseProcCgroup(readFileSync(`${this.#procRoot}/${pid}/cgroup`, 'latin1')),
        this.#mounts,
      );
    } catch {
      return null;
    }
  }

  locate(pid: number | 'self'): CgroupLocation | null {
    if (this.#mounts.length === 0) return null;
    let content: string;
    try {
      content = readFileSync(`${this.#procRoot}/${pid}/cgroup`, 'latin1');
    } catch {
      return null;
    }
    let location = this.#byContent.get(content);
    if (location === undefined) {
      location = locateCgroup(parseProcCgroup(content), this.#mounts);
      this.#byContent.set(content, location);
    }
    return location;
  }
}

/**
 * Reads each cgroup's limits once per sweep, however many processes share it. A per-process share is
 * only computed when the process's own cgroup is visible: another container's limit is not topz's.
 */
export class LimitsCache {
  readonly #limits = new Map<CgroupLocation, CgroupLimits>();

  get(location: CgroupLocation): CgroupLimits {
    let limits = this.#limits.get(location);
    if (!limits) {
      limits = readCgroupLimits(location);
      this.#limits.set(location, limits);
    }
    return limits;
  }
}
