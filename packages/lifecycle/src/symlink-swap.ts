import { randomBytes } from 'node:crypto';
import { lchown, readdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';

/**
 * A symlink that always leads to one complete directory (repo-updater's worktree, config-syncer's
 * set), swapped whole: what both programs publish through. Readers that resolve the link once see
 * the old directory or the new one, never a mix and never a missing link.
 */

/** The absolute path the link leads to now, or undefined when there is no link yet. */
export async function readLinkTarget(linkPath: string): Promise<string | undefined> {
  try {
    return resolve(dirname(linkPath), await readlink(linkPath));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Points the link at `dir` in one step: a new symlink under a temporary name beside it, renamed over
 * the old one (rename(2) replaces the link atomically). The target is relative, so the volume can be
 * mounted anywhere. `owner`, when given, is the link's before the rename.
 */
export async function swapLink(
  linkPath: string,
  dir: string,
  owner?: { uid: number; gid: number },
): Promise<void> {
  const parent = dirname(linkPath);
  const temporary = join(parent, `${temporaryPrefix(linkPath)}${randomBytes(4).toString('hex')}`);
  await symlink(relative(parent, dir), temporary);
  try {
    if (owner) await lchown(temporary, owner.uid, owner.gid);
    await rename(temporary, linkPath);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Removes temporary links a crash between symlink and rename left behind; returns their names. */
export async function removeLeftoverLinks(linkPath: string): Promise<string[]> {
  const parent = dirname(linkPath);
  const prefix = temporaryPrefix(linkPath);
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return [];
  }
  const leftovers = names.filter((name) => name.startsWith(prefix));
  await Promise.all(leftovers.map((name) => rm(join(parent, name), { force: true })));
  return leftovers;
}

function temporaryPrefix(linkPath: string): string {
  return `.tmp-${basename(linkPath)}-`;
}
