import type { ProcessInfo } from '../snapshot.ts';

/**
 * The processes that get per-process series when there are more than `max`: the top half by CPU, then
 * the rest by RSS, so both a busy and a large process are visible. Ties go to the lower PID so the
 * selection stays stable between scrapes.
 */
export function selectForMetrics(processes: readonly ProcessInfo[], max: number): ProcessInfo[] {
  if (processes.length <= max) return [...processes];
  if (max === 0) return [];
  const byCpu = [...processes].sort((a, b) => b.cpuPercent - a.cpuPercent || a.pid - b.pid);
  const selected = new Set(byCpu.slice(0, Math.ceil(max / 2)));
  const byRss = [...processes].sort((a, b) => b.rssBytes - a.rssBytes || a.pid - b.pid);
  for (const process of byRss) {
    if (selected.size >= max) break;
    selected.add(process);
  }
  return [...selected];
}
