import { lstatSync } from 'node:fs';
import { chown, mkdir, rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FileOwner } from './file-owner.ts';

/**
 * Subdirectories in the target (`--recursive`). Anyone who can write the shared target could put a
 * symlink where a subdirectory goes (`sub → /etc`): a write or removal through it would leave the
 * target. So every parent of a published path must be a real directory, created by the syncer when
 * missing (and given `owner`, with --file-owner).
 */
export async function ensureParentDirectories(
  target: string,
  name: string,
  owner: FileOwner | undefined,
): Promise<void> {
  const segments = name.split('/').slice(0, -1);
  for (let i = 1; i <= segments.length; i++) {
    const path = join(target, ...segments.slice(0, i));
    const kind = entryKind(path);
    if (kind === 'missing') {
      const made = await mkdir(path, { mode: 0o755 }).then(
        () => true,
        (error: NodeJS.ErrnoException) => {
          if (error.code !== 'EEXIST') throw error;
          return false;
        },
      );
      if (made && owner) await chown(path, owner.uid, owner.gid);
    }
    if (kind === 'other' || entryKind(path) !== 'directory') {
      throw new Error(
        `${name}: ${segments.slice(0, i).join('/')} in the target is not a directory (a symlink or a file); not written`,
      );
    }
  }
}

/** Whether every parent of `name` under `target` is a real directory (a removal may go through them). */
export function parentsAreDirectories(target: string, name: string): boolean {
  const segments = name.split('/').slice(0, -1);
  for (let i = 1; i <= segments.length; i++) {
    if (entryKind(join(target, ...segments.slice(0, i))) !== 'directory') return false;
  }
  return true;
}

/** After a removal: removes the parents of `name` that are left empty, deepest first, never `target`. */
export async function removeEmptyParents(target: string, name: string): Promise<void> {
  for (let dir = dirname(name); dir !== '.' && dir !== ''; dir = dirname(dir)) {
    try {
      await rmdir(join(target, dir));
    } catch {
      return; // not empty (someone else's files, or other published ones), or already gone
    }
  }
}

function entryKind(path: string): 'directory' | 'missing' | 'other' {
  try {
    return lstatSync(path).isDirectory() ? 'directory' : 'other';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
}
