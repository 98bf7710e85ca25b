import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { waitFor } from './children.ts';

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

/** Starts the bundle on a free loopback port with `args` and only PATH in its environment. */
export async function serveBundle(args: readonly string[]): Promise<ServingBundle> {
  let stderr = '';
  const server = spawn(process.execPath, [bundle, '--addr', '127.0.0.1:0', ...args], {
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  server.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  const address = await waitFor(
    () => /"address":"([\d.]+:\d+)".*"msg":"listening"/.exec(stderr)?.[1],
    10_000,
    'listening',
  );
  return { server, address, log: () => stderr };
}
