import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { GitRunner } from './runner.ts';

export const submoduleModes = ['recursive', 'shallow', 'off'] as const;
export type SubmoduleMode = (typeof submoduleModes)[number];

export interface CheckoutOptions {
  /** Directories for a cone-mode sparse checkout; empty for everything. */
  sparsePaths: readonly string[];
  submodules: SubmoduleMode;
  /** Passed to `submodule update --depth`; 0 for full history. */
  depth: number;
}

/**
 * Checks `commit` out into a new detached worktree at `dir`. The directory does not exist before; when
 * this throws, whatever was written is left for the caller to delete.
 */
export async function checkOutWorktree(
  git: GitRunner,
  gitDir: string,
  dir: string,
  commit: string,
  options: CheckoutOptions,
  signal?: AbortSignal,
): Promise<void> {
  const sparse = options.sparsePaths.length > 0;
  // -f: a worktree of this commit deleted earlier may still be registered; that is fine to replace.
  const add = ['worktree', 'add', '-f', '--detach'];
  await git.run([...add, ...(sparse ? ['--no-checkout'] : []), dir, commit], { cwd: gitDir, signal });
  if (sparse) {
    // The patterns must be in place before any file is written, so: add without checkout, then reset.
    await git.run(['sparse-checkout', 'set', '--cone', '--', ...options.sparsePaths], { cwd: dir, signal });
    await git.run(['reset', '--hard', commit], { cwd: dir, signal });
  }
  await makeGitFileRelative(dir);
  if (options.submodules !== 'off' && existsSync(join(dir, '.gitmodules'))) {
    const args = ['submodule', 'update', '--init', '--checkout', '--force'];
    if (options.submodules === 'recursive') args.push('--recursive');
    if (options.depth > 0) args.push('--depth', String(options.depth));
    await git.run(args, { cwd: dir, signal });
  }
}

/**
 * git writes an absolute path into a worktree's `.git` file; a relative one keeps `git log` working in
 * an app container that mounts the volume somewhere else.
 */
export async function makeGitFileRelative(dir: string): Promise<void> {
  const file = join(dir, '.git');
  const content = await readFile(file, 'utf8');
  const match = content.match(/^gitdir: (.+)$/m);
  if (!match || !match[1]!.startsWith('/')) return;
  await writeFile(file, `gitdir: ${relative(dir, match[1]!)}\n`);
}

/**
 * Whether an existing worktree directory is a complete checkout of `commit`: its HEAD is the commit and
 * no tracked file differs (a checkout cut short by a crash or a full disk shows as missing files).
 */
export async function isCompleteCheckout(
  git: GitRunner,
  dir: string,
  commit: string,
  signal?: AbortSignal,
): Promise<boolean> {
  if (!existsSync(join(dir, '.git'))) return false;
  try {
    const head = (await git.run(['rev-parse', 'HEAD'], { cwd: dir, signal })).trim();
    if (head !== commit) return false;
    const status = await git.run(
      ['status', '--porcelain', '--untracked-files=no', '--ignore-submodules=none'],
      {
        cwd: dir,
        signal,
      },
    );
    return status.trim() === '';
  } catch (error) {
    if (signal?.aborted) throw error;
    return false;
  }
}

/** Deletes a worktree's files; `git worktree prune` later forgets its registration. */
export async function removeWorktreeFiles(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 2 });
}
