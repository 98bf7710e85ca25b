import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { readLinkTarget } from '@toolkit/lifecycle';

// The link is swapped whole by lifecycle's symlink-swap (config-syncer's link layout uses it too).
export { removeLeftoverLinks, swapLink } from '@toolkit/lifecycle';

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
  const dir = await readLinkTarget(linkPath);
  return dir === undefined ? undefined : { dir, commit: basename(dir), exists: existsSync(dir) };
}
