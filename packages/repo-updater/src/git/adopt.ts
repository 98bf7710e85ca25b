import { existsSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { GitRunner } from './runner.ts';
import { type CheckoutOptions, readWorktreeAdmin, sparseCheckoutArgs } from './worktrees.ts';

/** Whether the worktree's `.git` file points at an admin directory that exists. */
export async function isRegistered(dir: string): Promise<boolean> {
  const gitDir = await readWorktreeAdmin(dir);
  return gitDir !== undefined && existsSync(join(gitDir, 'HEAD'));
}

/**
 * After the repository was rebuilt, the published worktree still has every file, but its git metadata
 * went with the old repository. This registers it with the new one without writing any of its files: a
 * throwaway worktree of the same commit lends its admin directory, the published tree's `.git` file is
 * replaced (by rename) to point there, and the index is rebuilt from the commit.
 */
export async function adoptWorktree(
  git: GitRunner,
  gitDir: string,
  dir: string,
  commit: string,
  sparse: Pick<CheckoutOptions, 'sparsePaths' | 'sparsePatterns'>,
  signal?: AbortSignal,
): Promise<void> {
  const helper = join(dirname(dir), `.adopt-${commit}`);
  await rm(helper, { recursive: true, force: true });
  try {
    await git.run(['worktree', 'add', '-f', '--no-checkout', '--detach', helper, commit], {
      cwd: gitDir,
      signal,
    });
    const admin = await readWorktreeAdmin(helper);
    if (!admin) throw new Error(`git worktree add left no .git file in ${helper}`);
    const temporary = join(dir, '.git.adopt');
    await writeFile(temporary, `gitdir: ${relative(dir, admin)}\n`);
    await rename(temporary, join(dir, '.git'));
    await writeFile(join(admin, 'gitdir'), `${join(dir, '.git')}\n`);
  } finally {
    await rm(helper, { recursive: true, force: true });
  }
  const sparseArgs = sparseCheckoutArgs(sparse);
  if (sparseArgs) await git.run(sparseArgs, { cwd: dir, signal });
  // --mixed rewrites the index only; the files on disk already match the commit.
  await git.run(['reset', '--mixed', commit], { cwd: dir, signal });
}
