import { readdirSync, readlinkSync } from 'node:fs';
import { type ProcessInfo, readUsers, Sampler, type SamplerOptions, type Snapshot } from '../../src/index.ts';

/** Samplers made by a test file, closed by `closeAll()` (call it in afterEach). */
export class Samplers {
  readonly #open: Sampler[] = [];

  create(options: SamplerOptions = {}): Sampler {
    const sampler = new Sampler({ users: readUsers(), ...options });
    this.#open.push(sampler);
    return sampler;
  }

  closeAll(): void {
    for (const sampler of this.#open.splice(0)) sampler.close();
  }
}

export function find(snapshot: Snapshot, pid: number | undefined): ProcessInfo | undefined {
  return snapshot.processes.find((process) => process.pid === pid);
}

/** This process's open fds on /proc/<pid>/… files of the given PIDs. */
export function heldProcFiles(of: ReadonlySet<number>): number {
  let held = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const pid = /^\/proc\/(\d+)\//.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1];
      if (pid && of.has(Number(pid))) held++;
    } catch {
      // The fd of the listing itself is gone by now.
    }
  }
  return held;
}
