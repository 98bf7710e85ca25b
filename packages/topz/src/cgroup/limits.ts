import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CgroupLimits } from '../snapshot.ts';
import type { CgroupLocation, ControllerDir } from './paths.ts';

/** cgroup v1 writes "no limit" as a huge page-aligned number (9223372036854771712). */
const unlimitedV1 = 2 ** 60;

/**
 * Reads the memory and CPU limits that bind a cgroup: the lowest of the cgroup's own and its
 * ancestors' up to the mount point, since a pod-level or parent limit binds its children too.
 */
export function readCgroupLimits(location: CgroupLocation): CgroupLimits {
  const v2 = location.version === 2;
  return {
    path: location.path,
    version: location.version,
    memoryLimitBytes: lowestUpwards(location.memory, v2 ? readMemoryMaxV2 : readMemoryLimitV1),
    memoryUsageBytes: location.memory
      ? readNumber(`${location.memory.dir}/${v2 ? 'memory.current' : 'memory.usage_in_bytes'}`)
      : null,
    cpuLimitCores: lowestUpwards(location.cpu, v2 ? readCpuMaxV2 : readCpuQuotaV1),
  };
}

function lowestUpwards(start: ControllerDir | null, read: (dir: string) => number | null): number | null {
  if (!start) return null;
  let lowest: number | null = null;
  for (let dir = start.dir; ; dir = dirname(dir)) {
    const value = read(dir);
    if (value !== null && (lowest === null || value < lowest)) lowest = value;
    if (dir === start.top || dir.length <= start.top.length) return lowest;
  }
}

function readMemoryMaxV2(dir: string): number | null {
  return readNumber(`${dir}/memory.max`);
}

function readMemoryLimitV1(dir: string): number | null {
  const limit = readNumber(`${dir}/memory.limit_in_bytes`);
  return limit === null || limit >= unlimitedV1 ? null : limit;
}

/** `cpu.max` is `max 100000` (no quota) or `<quota> <period>` in microseconds. */
function readCpuMaxV2(dir: string): number | null {
  const [quota, period] = readText(`${dir}/cpu.max`)?.trim().split(' ') ?? [];
  if (!quota || quota === 'max' || !period) return null;
  return Number(quota) / Number(period);
}

function readCpuQuotaV1(dir: string): number | null {
  const quota = readNumber(`${dir}/cpu.cfs_quota_us`);
  const period = readNumber(`${dir}/cpu.cfs_period_us`);
  return quota === null || quota < 0 || !period ? null : quota / period;
}

/** A number file; null when absent, unreadable or `max`. */
function readNumber(path: string): number | null {
  const text = readText(path)?.trim();
  return text && /^\d+$/.test(text) ? Number(text) : null;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}
