import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';

export interface PublishedTree {
  /** Absolute path of the worktree the link points at. */
  dir: string;
  /** Its basename: the commit. */
  commit: string;
  /** Whether the directory is there (a link left from an earlier life can dangle). */
  exists: boolean;
}

/** What the link points at now, or undefined when there is no link yet. */
export async function readPublishedTree(linkPath: string): Promise<PublishedTree | undefined> {
  let target: string;
  try {
    target = await readlink(linkPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const dir = resolve(dirname(linkPath), target);
  return { dir, commit: basename(dir), exists: existsSync(dir) };
}

/**
 * Points the link at `dir` in one step: a new symlink under a temporary name beside it, renamed over
 * the old one. rename(2) replaces the link atomically, so a reader resolves either the old tree or the
 * new one, never a missing link. The target is relative, so the volume can be mounted anywhere.
 */
export async function swapLink(linkPath: string, dir: string): Promise<void> {
  const parent = dirname(linkPath);
  const temporary = join(parent, `${temporaryPrefix(linkPath)}${randomBytes(4).toString('hex')}`);
  await symlink(relative(parent, dir), temporary);
  try {
    await rename(temporary, linkPath);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Removes temporary links a crash between symlink and rename left behind. */
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
