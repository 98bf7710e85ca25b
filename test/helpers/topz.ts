/** A process as the tests read it from topz's JSON, whatever the exact shape of the other fields. */
export interface ListedProcess {
  pid: number;
  ppid: number;
  comm: string;
  /** The command line joined with spaces. */
  cmdline: string;
}

/** `{ processes: [...] }` from `/api/processes` or `--once --format json`, checked and normalised. */
export function listedProcesses(json: unknown): ListedProcess[] {
  const processes = (json as { processes?: unknown } | null)?.processes;
  if (!Array.isArray(processes))
    throw new Error(`expected { processes: [...] }, got ${JSON.stringify(json)}`);
  return processes.map((entry: Record<string, unknown>) => ({
    pid: Number(entry.pid),
    ppid: Number(entry.ppid),
    comm: String(entry.comm ?? ''),
    cmdline: Array.isArray(entry.cmdline) ? entry.cmdline.join(' ') : String(entry.cmdline ?? ''),
  }));
}

/**
 * What the demo app's processes look like: the main one and its workers, all renamed by process.title
 * (which sets the command line too): `demo-app`, `demo-app-busy`, `demo-app-idle`.
 */
export const demoApp = {
  main: /(^|\s)demo-app(\s|$)/m,
  busy: /demo-app-busy|--role busy/,
  idle: /demo-app-idle|--role idle/,
};
