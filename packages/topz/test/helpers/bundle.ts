import { existsSync } from 'node:fs';
import { join } from 'node:path';
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
