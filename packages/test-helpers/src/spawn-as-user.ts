import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, linkSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

let reachable: { node: string; dir: string } | undefined;

/** `file` in `dir`: hard-linked when it can be (same file system), copied otherwise. */
function placeIn(dir: string, file: string): string {
  const placed = join(dir, basename(file));
  try {
    linkSync(file, placed);
  } catch {
    copyFileSync(file, placed);
    chmodSync(placed, 0o755);
  }
  return placed;
}

/**
 * Runs a bundled program (`dist/<program>.mjs`) with this Node as another uid and gid, synchronously.
 * The checkout may sit under a directory that uid cannot enter (a `mktemp -d` is 0700), so Node and
 * the bundle are run from a directory of their own that anyone can read.
 */
export function spawnBundleAs(
  user: { uid: number; gid: number },
  bundle: string,
  args: string[],
  options: { timeoutMs: number; env?: NodeJS.ProcessEnv },
): SpawnSyncReturns<string> {
  if (!reachable) {
    const dir = mkdtempSync(join(tmpdir(), 'toolkit-as-user-'));
    chmodSync(dir, 0o755);
    reachable = { node: placeIn(dir, process.execPath), dir };
  }
  const placedBundle = placeIn(mkdtempSync(join(reachable.dir, 'bundle-')), bundle);
  chmodSync(join(placedBundle, '..'), 0o755);
  const result = spawnSync(reachable.node, [placedBundle, ...args], {
    encoding: 'utf8',
    timeout: options.timeoutMs,
    uid: user.uid,
    gid: user.gid,
    env: options.env ?? { PATH: process.env.PATH ?? '' },
  });
  // A spawn that failed (or was killed) has no status: say why in the stderr a test prints.
  if (result.error || result.signal) {
    result.stderr = `${result.stderr ?? ''}\nspawn: ${result.error?.message ?? `killed by ${result.signal}`}`;
  }
  return result;
}
