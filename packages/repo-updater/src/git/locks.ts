import type { Dirent } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';

// Lock files git leaves behind when it is killed (OOM, SIGKILL at the end of a grace period, a node
// restart). Any of them makes every later fetch or checkout fail: the CrashLoopBackOff git-sync's
// users keep reporting.
const topLevelLocks = [
  'index.lock',
  'shallow.lock',
  'HEAD.lock',
  'config.lock',
  'packed-refs.lock',
  'FETCH_HEAD.lock',
];
const worktreeLocks = ['index.lock', 'HEAD.lock', 'ORIG_HEAD.lock'];

/**
 * Deletes stale git lock files in the repository and its worktrees' admin directories. Call it only
 * when no git command of this program is running (the sync loop runs one sync at a time), so every
 * lock found is stale. Resolves with the removed paths, relative to the git dir.
 */
export async function removeStaleLocks(gitDir: string): Promise<string[]> {
  const candidates = topLevelLocks.map((name) => join(gitDir, name));
  for (const worktree of await listDirectory(join(gitDir, 'worktrees'))) {
    for (const name of worktreeLocks) candidates.push(join(gitDir, 'worktrees', worktree, name));
  }
  candidates.push(...(await findRefLocks(join(gitDir, 'refs'))));
  const removed: string[] = [];
  for (const path of candidates) {
    try {
      await rm(path);
      removed.push(relative(gitDir, path));
    } catch {
      // Not there: the usual case.
    }
  }
  return removed;
}

async function findRefLocks(dir: string, depth = 0): Promise<string[]> {
  if (depth > 8) return [];
  const found: string[] = [];
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await findRefLocks(path, depth + 1)));
    else if (entry.name.endsWith('.lock')) found.push(path);
  }
  return found;
}

async function listDirectory(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}
