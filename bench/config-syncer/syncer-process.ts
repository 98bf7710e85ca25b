import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { stopProcess } from '@toolkit/test-helpers';

export const repoRoot = join(import.meta.dirname, '..', '..');
export const bundle = join(repoRoot, 'packages', 'config-syncer', 'dist', 'config-syncer.mjs');

/** The bundled program as a child process, its JSON log lines drained (a full pipe would block it). */
export class SyncerProcess {
  readonly child: ChildProcess;
  #stderr = '';

  /** `program`: another build of it (a baseline to compare with); `env`: added to a bare PATH. */
  constructor(args: string[], program = bundle, env: Record<string, string> = {}) {
    if (!existsSync(program))
      throw new Error(`${program} is missing: run \`node scripts/build.ts config-syncer\``);
    this.child = spawn(process.execPath, [program, '--admin-addr', '127.0.0.1:0', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      // Keep only the tail: a long run logs a line per change.
      this.#stderr = (this.#stderr + chunk.toString()).slice(-64 * 1024);
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Resolves once the program logged `ready`; rejects after `ms`. */
  async waitReady(ms = 30_000): Promise<void> {
    const deadline = performance.now() + ms;
    while (!this.#stderr.includes('"msg":"ready"')) {
      if (this.child.exitCode !== null) throw new Error(`config-syncer exited:\n${this.#stderr}`);
      if (performance.now() > deadline)
        throw new Error(`config-syncer not ready after ${ms}ms:\n${this.#stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  stop(): Promise<void> {
    return stopProcess(this.child, 10_000);
  }
}

/** Nearest-rank percentile of a sample, in the sample's unit. */
export function percentile(sample: readonly number[], p: number): number {
  const sorted = [...sample].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
