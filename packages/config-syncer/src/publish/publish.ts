import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDirectory, writeFilesAtomic } from './atomic-write.ts';
import { type FileOwner, makeDirectories } from './file-owner.ts';
import { isSafeName, sameNames, writeManifest } from './manifest.ts';
import type { Plan, Published } from './plan.ts';
import { ensureParentDirectories, parentsAreDirectories, removeEmptyParents } from './target-tree.ts';

/**
 * Carries out a plan in the target directory: each file lands whole by rename, removals touch only
 * files the syncer wrote, and the manifest follows the names. Returns what is published now.
 */
export async function publishPlan(
  dir: string,
  plan: Plan,
  current: Published,
  mode: number,
  owner: FileOwner | undefined,
): Promise<Published> {
  // The directory may have been deleted since start (by hand, or a volume remounted).
  if (plan.writes.length > 0) await makeDirectories(dir, owner);
  // Every subdirectory first: one that cannot be (a symlink put in the target) fails the publish
  // before any file of the set is written.
  for (const write of plan.writes) await ensureParentDirectories(dir, write.name, owner);
  const added = plan.writes.filter((write) => !current.has(write.name)).map((write) => write.name);
  if (added.length > 0) {
    // Record new names before creating them: if the process dies between a rename and the final
    // manifest, the next run still knows it wrote them and may remove them later.
    await writeManifest(dir, [...current.keys(), ...added], owner);
  }
  await writeFilesAtomic(dir, plan.writes, mode, owner);
  for (const name of plan.removals) {
    // readManifest refuses such names already; a removal never leaves the target whatever its source.
    if (!isSafeName(name) || !parentsAreDirectories(dir, name)) continue;
    await unlink(join(dir, name)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    await removeEmptyParents(dir, name);
  }
  if (plan.writes.length > 0 || plan.removals.length > 0) await syncDirectory(dir);
  if (!sameNames(current, plan.published)) await writeManifest(dir, plan.published.keys(), owner);
  return plan.published;
}
