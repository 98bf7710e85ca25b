import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Child } from '@toolkit/test-helpers';
import { expect } from 'vitest';

const repoRoot = join(import.meta.dirname, '../../../..');
/** The single-file program the image runs. */
export const bundle = join(repoRoot, 'packages/topz/dist/topz.mjs');

/**
 * Checks the bundle is there. vitest's global setup bundles every program once, from the sources under
 * test, before any file runs; rebuilding it here raced: esbuild rewrote the file while a test in another
 * worker was starting it.
 */
export function expectBundle(): void {
  expect(existsSync(bundle), `${bundle} (built by test/global-setup.ts)`).toBe(true);
}

/** A topz bundle serving, once it listens: the process (the caller kills it), its address, its log so far. */
export interface ServingBundle {
  server: ChildProcess;
  /** `127.0.0.1:PORT`. */
  address: string;
  /** Everything it has written to stderr (its JSON log) until now. */
  log(): string;
}

/**
 * Starts the bundle on a free loopback port with `args` and only PATH in its environment; waits for it
 * to listen while it makes progress (a loaded machine starts it slowly, a stuck start fails).
 */
export async function serveBundle(args: readonly string[]): Promise<ServingBundle> {
  const child = new Child(bundle, ['--addr', '127.0.0.1:0', ...args]);
  const line = await child.waitForLogWhileProgressing((l) => l.msg === 'listening');
  return { server: child.process, address: String(line.address), log: () => child.stderr };
}
