/**
 * Number formats shared by the text table and the web page. Each function stands alone (no imports,
 * no calls to the others) because the page embeds their source text.
 */

/** Bytes in binary units, short like top: `512B`, `12.3K`, `1.5G`. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '-';
  const units = ['B', 'K', 'M', 'G', 'T', 'P'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value}B` : `${value < 10 ? value.toFixed(1) : Math.round(value)}${units[unit]}`;
}

/** Elapsed seconds as ps shows them: `[[dd-]hh:]mm:ss`. */
export function formatAge(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const days = Math.floor(whole / 86400);
  const hours = Math.floor((whole % 86400) / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const two = (n: number) => String(n).padStart(2, '0');
  const clock = `${two(minutes)}:${two(whole % 60)}`;
  if (days > 0) return `${days}-${two(hours)}:${clock}`;
  return hours > 0 ? `${two(hours)}:${clock}` : clock;
}

/** CPU time as top's TIME+: `m:ss.hh`. */
export function formatCpuTime(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds - minutes * 60;
  return `${minutes}:${rest.toFixed(2).padStart(5, '0')}`;
}

/**
 * The command line, or `[comm]` for a zombie or kernel thread, as ps writes them; control characters
 * (a newline in an argument would split a line of /topz) become `?`, as in ps.
 */
export function formatCommand(process: { cmdline: string; comm: string }): string {
  return (process.cmdline === '' ? `[${process.comm}]` : process.cmdline).replace(/\p{Cc}/gu, '?');
}

/**
 * Pressure of topz's cgroup in one line: PSI `some` averages over 10 s, throttling and OOM kills, then
 * what cannot be read and why. Takes the shape of CgroupPressure (structurally: this stands alone).
 */
export function formatPressure(pressure: {
  path: string | null;
  cpu: { some: { avg10: number } } | null;
  memory: { some: { avg10: number } } | null;
  io: { some: { avg10: number } } | null;
  throttling: { periods: number; throttledPeriods: number; throttledSeconds: number } | null;
  oomKills: number | null;
  unavailable: string[];
}): string {
  const parts: string[] = [];
  const stalls = (['cpu', 'memory', 'io'] as const)
    .map((name) => (pressure[name] ? `${name} ${pressure[name].some.avg10.toFixed(2)}%` : ''))
    .filter(Boolean);
  if (stalls.length > 0) parts.push(`pressure (some, avg10) ${stalls.join(', ')}`);
  const throttling = pressure.throttling;
  if (throttling) {
    parts.push(
      `throttled ${throttling.throttledPeriods} of ${throttling.periods} periods (${throttling.throttledSeconds.toFixed(1)}s)`,
    );
  }
  if (pressure.oomKills !== null) parts.push(`${pressure.oomKills} OOM kills`);
  const known = parts.length > 0 ? `${parts.join('; ')}` : 'no pressure readable';
  return pressure.unavailable.length > 0
    ? `${known}. Not readable: ${pressure.unavailable.join('; ')}`
    : known;
}
