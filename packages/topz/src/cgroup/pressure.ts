import { readFileSync } from 'node:fs';
import type { PressureDirs } from './paths.ts';

export type { PressureDirs } from './paths.ts';

/** One line of a PSI file: the share of time some (or all) tasks stalled on a resource. */
export interface StallShare {
  /** Percent of wall time over the last 10, 60 and 300 s. */
  avg10: number;
  avg60: number;
  avg300: number;
  /** Stalled time since the cgroup was made. */
  totalSeconds: number;
}

export interface Stall {
  some: StallShare;
  /** Absent from cpu.pressure of the root cgroup on older kernels: null then. */
  full: StallShare | null;
}

/**
 * Pressure and throttling of topz's own cgroup, where the kernel exposes them. Each field is null
 * where it cannot be read, and `unavailable` says why in words (page, JSON, /topz summary).
 */
export interface CgroupPressure {
  /** The cgroup v2 path the pressure files come from; null without a v2 hierarchy. */
  path: string | null;
  cpu: Stall | null;
  memory: Stall | null;
  io: Stall | null;
  /** CFS bandwidth periods with runnable tasks, those throttled, and the time throttled. */
  throttling: { periods: number; throttledPeriods: number; throttledSeconds: number } | null;
  /** Processes of the cgroup killed by the OOM killer. */
  oomKills: number | null;
  unavailable: string[];
}

/** Reads what the kernel tells of a cgroup's pressure, from v2 files or, for throttling and OOM kills, v1. */
export function readCgroupPressure(dirs: PressureDirs): CgroupPressure {
  const unavailable: string[] = [];
  const v2 = dirs.unified?.dir;
  const stall = (resource: string) => {
    if (!v2) return null;
    const text = readText(`${v2}/${resource}.pressure`);
    return text === undefined ? null : parsePressure(text);
  };
  const cpu = stall('cpu');
  const memory = stall('memory');
  const io = stall('io');
  if (!v2) {
    unavailable.push(
      "pressure (PSI): topz's cgroup is not in a cgroup v2 hierarchy it has mounted (cgroup v1 has no per-cgroup PSI)",
    );
  } else if (!cpu && !memory && !io) {
    unavailable.push(
      'pressure (PSI): no *.pressure files: the kernel is built or booted without PSI (psi=0)',
    );
  }

  let throttling: CgroupPressure['throttling'] = null;
  const cpuStatV2 = v2 ? parseFlatKeyed(readText(`${v2}/cpu.stat`)) : undefined;
  if (cpuStatV2?.has('nr_throttled')) {
    throttling = {
      periods: cpuStatV2.get('nr_periods') ?? 0,
      throttledPeriods: cpuStatV2.get('nr_throttled')!,
      throttledSeconds: (cpuStatV2.get('throttled_usec') ?? 0) / 1e6,
    };
  } else if (dirs.cpuV1) {
    const stat = parseFlatKeyed(readText(`${dirs.cpuV1.dir}/cpu.stat`));
    if (stat?.has('nr_throttled')) {
      throttling = {
        periods: stat.get('nr_periods') ?? 0,
        throttledPeriods: stat.get('nr_throttled')!,
        throttledSeconds: (stat.get('throttled_time') ?? 0) / 1e9,
      };
    }
  }
  if (!throttling) {
    unavailable.push(
      'CPU throttling: no nr_throttled in cpu.stat (the cpu controller is not enabled for this cgroup, or not mounted)',
    );
  }

  let oomKills: number | null = null;
  const events = v2 ? parseFlatKeyed(readText(`${v2}/memory.events`)) : undefined;
  if (events?.has('oom_kill')) oomKills = events.get('oom_kill')!;
  else if (dirs.memoryV1) {
    oomKills = parseFlatKeyed(readText(`${dirs.memoryV1.dir}/memory.oom_control`))?.get('oom_kill') ?? null;
  }
  if (oomKills === null) {
    unavailable.push(
      'OOM kills: no oom_kill in memory.events (v2) or memory.oom_control (v1): the memory controller is not readable here',
    );
  }
  return { path: v2 ? dirs.unifiedPath : null, cpu, memory, io, throttling, oomKills, unavailable };
}

/** `some avg10=0.00 avg60=0.00 avg300=0.00 total=0` lines (total in microseconds). */
export function parsePressure(text: string): Stall | null {
  const line = (kind: string): StallShare | null => {
    const match = new RegExp(
      `^${kind} avg10=([\\d.]+) avg60=([\\d.]+) avg300=([\\d.]+) total=(\\d+)$`,
      'm',
    ).exec(text);
    if (!match) return null;
    return {
      avg10: Number(match[1]),
      avg60: Number(match[2]),
      avg300: Number(match[3]),
      totalSeconds: Number(match[4]) / 1e6,
    };
  };
  const some = line('some');
  return some ? { some, full: line('full') } : null;
}

/** `key value` lines (cpu.stat, memory.events, memory.oom_control) → key → number. */
function parseFlatKeyed(text: string | undefined): Map<string, number> | undefined {
  if (text === undefined) return undefined;
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value] = line.split(' ');
    if (key && value && /^\d+$/.test(value)) values.set(key, Number(value));
  }
  return values;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}
