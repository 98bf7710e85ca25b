import type { ProcessInfo } from './snapshot.ts';

export interface HideOptions {
  hideSelf: boolean;
  hidePause: boolean;
  /** topz's own PID. */
  selfPid: number;
}

/**
 * What --hide-self and --hide-pause leave out. The pause process is PID 1 of a pod with
 * shareProcessNamespace: true (the `/pause` binary, comm `pause`); it is matched by name and command
 * rather than by PID because under `docker run --pid=container:…` PID 1 is the app.
 */
export function createHideFilter(options: HideOptions): (process: ProcessInfo) => boolean {
  return (process) =>
    (options.hideSelf && process.pid === options.selfPid) ||
    (options.hidePause && process.comm === 'pause' && /^(\S*\/)?pause$/.test(process.cmdline));
}
