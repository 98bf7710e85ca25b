import { unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFilesAtomic } from './atomic-write.ts';
import type { Durability } from './durability.ts';
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
  durability: Durability,
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
    await writeManifest(dir, [...current.keys(), ...added], owner, durability);
  }
  await writeFilesAtomic(dir, plan.writes, mode, owner, durability);
  for (const name of plan.removals) {
    // readManifest refuses such names already; a removal never leaves the target whatever its source.
    if (!isSafeName(name) || !parentsAreDirectories(dir, name)) continue;
    await unlink(join(dir, name)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    await removeEmptyParents(dir, name);
  }
  const touched = [...plan.writes.map((write) => write.name), ...plan.removals].filter(isSafeName);
  await syncDirectories(dir, touched, durability);
  if (!sameNames(current, plan.published)) {
    await writeManifest(dir, plan.published.keys(), owner, durability);
  }
  return plan.published;
}

/**
 * Makes the renames and removals of a publish durable: fsyncs the directory of each name and every
 * directory above it up to the target (with --recursive a subdirectory made or removed is an entry in
 * its parent), all at once. A directory removed because it was left empty is skipped.
 */
async function syncDirectories(target: string, names: readonly string[], durability: Durability) {
  const dirs = new Set<string>();
  for (const name of names) {
    for (let dir = dirname(name); dir !== '.' && dir !== ''; dir = dirname(dir)) dirs.add(dir);
  }
  if (names.length > 0) dirs.add('.');
  await Promise.all(
    [...dirs].map((dir) =>
      durability.syncDirectory(join(target, dir)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      }),
    ),
  );
}
