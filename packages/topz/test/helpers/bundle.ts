import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

const repoRoot = join(import.meta.dirname, '../../../..');
/** The single-file program the image runs. */
export const bundle = join(repoRoot, 'packages/topz/dist/topz.mjs');

/** Builds the bundle from the sources under test (in a beforeAll) and checks it is there. */
export function buildBundle(): void {
  const built = spawnSync(process.execPath, ['scripts/build.ts', 'topz'], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(built.status, built.stderr).toBe(0);
  expect(existsSync(bundle)).toBe(true);
}
