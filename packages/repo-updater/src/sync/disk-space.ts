import { statfs } from 'node:fs/promises';
import type { GitRunner } from '../git/runner.ts';

/**
 * Why a checkout failed, when the disk is the reason: "needs 16.8 MB, 5.8 MB free", else undefined.
 * git reports a failed write as "unable to write file X" without the cause and deletes the file, so
 * after a failure the commit's size (blob sizes and file count) is compared with what the filesystem
 * has left. Only asked after a failure: it costs a `git ls-tree` of the whole commit.
 */
export async function explainNoSpace(
  git: GitRunner,
  gitDir: string,
  commit: string,
  dir: string,
): Promise<string | undefined> {
  try {
    const stats = await statfs(dir);
    const freeBytes = stats.bavail * stats.bsize;
    const listing = await git.run(['ls-tree', '-r', '-l', '--full-tree', commit], { cwd: gitDir });
    let neededBytes = 0;
    let files = 0;
    for (const line of listing.split('\n')) {
      const size = Number(line.split(/\s+/)[3]);
      if (Number.isFinite(size)) neededBytes += size;
      if (line) files++;
    }
    // The partial worktree still holds some of it; a commit bigger than all that is free cannot fit.
    if (neededBytes > freeBytes)
      return `the commit needs ${megabytes(neededBytes)}, ${megabytes(freeBytes)} free`;
    if (stats.files > 0 && files > stats.ffree)
      return `the commit has ${files} files, ${stats.ffree} inodes free`;
    return undefined;
  } catch {
    return undefined;
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
