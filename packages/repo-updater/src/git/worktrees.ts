import { existsSync, statSync } from 'node:fs';
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { GitRunner } from './runner.ts';

export const submoduleModes = ['recursive', 'shallow', 'off'] as const;
export type SubmoduleMode = (typeof submoduleModes)[number];

export interface CheckoutOptions {
  /** Directories for a cone-mode sparse checkout; empty for everything. */
  sparsePaths: readonly string[];
  /** Patterns for a non-cone sparse checkout (gitignore syntax, as git-sync's --sparse-checkout-file). */
  sparsePatterns?: readonly string[] | undefined;
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
  const sparse = sparseCheckoutArgs(options);
  // -f: a worktree of this commit deleted earlier may still be registered; that is fine to replace.
  const add = ['worktree', 'add', '-f', '--detach'];
  await git.run([...add, ...(sparse ? ['--no-checkout'] : []), dir, commit], { cwd: gitDir, signal });
  if (sparse) {
    // The patterns must be in place before any file is written, so: add without checkout, then reset.
    await git.run(sparse, { cwd: dir, signal });
    await git.run(['reset', '--hard', commit], { cwd: dir, signal });
  }
  await makeGitFileRelative(dir);
  await updateSubmodules(git, dir, options, signal, false);
  await recordCheckoutOptions(dir, options);
}

/** `git sparse-checkout set` for the options (cone mode for directories), or undefined for everything. */
export function sparseCheckoutArgs(
  options: Pick<CheckoutOptions, 'sparsePaths' | 'sparsePatterns'>,
): string[] | undefined {
  if (options.sparsePatterns && options.sparsePatterns.length > 0) {
    return ['sparse-checkout', 'set', '--no-cone', '--', ...options.sparsePatterns];
  }
  if (options.sparsePaths.length > 0)
    return ['sparse-checkout', 'set', '--cone', '--', ...options.sparsePaths];
  return undefined;
}

/**
 * Brings an existing worktree (a spare: not published, its grace period over) to `commit` in place:
 * files git does not track are deleted (ignored ones too), tracked files edited since are put back, and
 * only the files that differ between its commit and `commit` are written. Sparse-checkout patterns stay
 * as they are (`findReuseProblem` refuses a spare made with other options). When this throws, the
 * worktree is in some state between the two commits, for the caller to delete.
 */
export async function updateWorktree(
  git: GitRunner,
  dir: string,
  commit: string,
  options: CheckoutOptions,
  signal?: AbortSignal,
): Promise<void> {
  // Neither command is quiet: simple-git (4.0.2) waits 50 ms more after a git command that printed
  // nothing, as long as this whole update takes. So `clean` is given a file of its own to remove (and
  // name), and `checkout` says where HEAD is now.
  // First: `clean` reads which files are tracked from the index, which still describes the old commit.
  // Skipped when the spare was cleaned between syncs and no directory in it has changed since.
  if (!(await stillClean(dir))) {
    await writeFile(join(dir, cleanMarker), '');
    await git.run(['clean', '-ffdx'], { cwd: dir, signal });
  }
  // --force: discards edits to tracked files; a detached HEAD moved in a worktree has no reflog to grow.
  await git.run(['-c', 'core.logAllRefUpdates=false', 'checkout', '--detach', '--force', commit], {
    cwd: dir,
    signal,
  });
  await updateSubmodules(git, dir, options, signal, true);
}

/** An untracked file `git clean` always finds in a spare. */
const cleanMarker = '.repo-updater-clean';

/** In the worktree's git admin directory: the directory stamp taken right after a clean between syncs. */
const cleanStampFile = 'repo-updater-clean-stamp';

/**
 * Off the critical path, when a tree becomes the spare: deletes what git does not track (ignored files
 * too) and records a stamp of its directories, so the sync that reuses it can skip its own `clean` when
 * nothing was created or deleted in it since (`stillClean`).
 */
export async function cleanSpare(git: GitRunner, dir: string, signal?: AbortSignal): Promise<void> {
  const admin = await readWorktreeAdmin(dir);
  if (!admin) return;
  await rm(join(admin, cleanStampFile), { force: true });
  await git.run(['clean', '-ffdx'], { cwd: dir, signal });
  const dirs = await directoryStamp(dir);
  await writeFile(join(admin, cleanStampFile), JSON.stringify({ cleanedAt: Date.now(), dirs }));
}

/**
 * Whether a spare is as `cleanSpare` left it: every file created or deleted (tracked or not, in any
 * directory) changes its directory's mtime, a new directory its parent's, and edits to tracked files are
 * undone by `checkout --force`. A directory whose mtime is close to the clean itself is not trusted
 * (file systems stamp times at a coarse tick, so a file made in the same tick as the clean's last change
 * would not show). On the sync's path: a stat per directory recorded, no directory read.
 */
async function stillClean(dir: string): Promise<boolean> {
  const admin = await readWorktreeAdmin(dir);
  if (!admin) return false;
  const text = await readFile(join(admin, cleanStampFile), 'utf8').catch(() => undefined);
  await rm(join(admin, cleanStampFile), { force: true });
  if (text === undefined) return false;
  try {
    const recorded = JSON.parse(text) as { cleanedAt: number; dirs: Record<string, string> };
    for (const [path, was] of Object.entries(recorded.dirs)) {
      const info = statSync(join(dir, path), { bigint: true });
      if (`${info.ino}:${info.mtimeNs}` !== was) return false;
      if (Number(info.mtimeNs / 1_000_000n) >= recorded.cleanedAt - 100) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** Every directory of a worktree (its `.git` and submodules' git data left out): `ino:mtimeNs` by path. */
async function directoryStamp(root: string): Promise<Record<string, string>> {
  const dirs: Record<string, string> = {};
  const walk = async (dir: string): Promise<void> => {
    const info = await stat(dir, { bigint: true });
    dirs[relative(root, dir)] = `${info.ino}:${info.mtimeNs}`;
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && entry.name !== '.git') await walk(join(dir, entry.name));
    }
  };
  await walk(root);
  return dirs;
}

async function updateSubmodules(
  git: GitRunner,
  dir: string,
  options: CheckoutOptions,
  signal: AbortSignal | undefined,
  clean: boolean,
): Promise<void> {
  if (options.submodules === 'off' || !existsSync(join(dir, '.gitmodules'))) return;
  const recursive = options.submodules === 'recursive' ? ['--recursive'] : [];
  // --force checks every submodule out again, even one already at its commit: edits are discarded.
  const args = ['submodule', 'update', '--init', '--checkout', '--force', ...recursive];
  if (options.depth > 0) args.push('--depth', String(options.depth));
  await git.run(args, { cwd: dir, signal });
  if (clean) {
    await git.run(['submodule', 'foreach', '--quiet', ...recursive, 'git clean -ffdxq'], {
      cwd: dir,
      signal,
    });
  }
}

/** The file, in the worktree's own admin directory, that records the options it was checked out with. */
const optionsFile = 'repo-updater-checkout';

function describeOptions(options: CheckoutOptions): string {
  const { sparsePaths, sparsePatterns, submodules, depth } = options;
  // Patterns only when there are some: a record written before they existed still matches.
  const patterns = sparsePatterns && sparsePatterns.length > 0 ? { sparsePatterns } : {};
  return `${JSON.stringify({ sparsePaths: [...sparsePaths].sort(), submodules, depth, ...patterns })}\n`;
}

async function recordCheckoutOptions(dir: string, options: CheckoutOptions): Promise<void> {
  const admin = await readWorktreeAdmin(dir);
  if (admin) await writeFile(join(admin, optionsFile), describeOptions(options));
}

/**
 * Undefined when `dir` can be brought to another commit in place, else why not: it is not a worktree
 * registered with the repository (deleted, half-deleted, left from a repository that was rebuilt),
 * someone locked it (`git worktree lock`: 'locked'), or it was checked out with other options (sparse
 * paths, submodules, depth: the program restarted with other flags, or it predates the record).
 */
export async function findReuseProblem(dir: string, options: CheckoutOptions): Promise<string | undefined> {
  const admin = await readWorktreeAdmin(dir);
  if (!admin) return 'not a worktree';
  if (!existsSync(join(admin, 'HEAD'))) return 'not registered with the repository';
  let registeredAt: string;
  try {
    registeredAt = (await readFile(join(admin, 'gitdir'), 'utf8')).trim();
  } catch {
    return 'not registered with the repository';
  }
  if (resolve(admin, registeredAt) !== join(dir, '.git')) return 'registered for another directory';
  if (existsSync(join(admin, 'locked'))) return 'locked';
  const recorded = await readFile(join(admin, optionsFile), 'utf8').catch(() => undefined);
  if (recorded !== describeOptions(options)) return 'checked out with other options';
  return undefined;
}

/**
 * Renames a worktree's directory (within the same parent, so its relative `.git` file stays right) and
 * tells git: the admin directory's `gitdir`, and `core.worktree` of each submodule, which names the
 * directory. git's own `worktree move` refuses worktrees with submodules.
 */
export async function moveWorktree(from: string, to: string): Promise<void> {
  const admin = await readWorktreeAdmin(from);
  if (!admin) throw new Error(`${from} is not a worktree`);
  await rename(from, to);
  await writeFile(join(admin, 'gitdir'), `${join(to, '.git')}\n`);
  await moveSubmoduleWorktrees(join(admin, 'modules'), from, to);
}

async function moveSubmoduleWorktrees(
  modulesDir: string,
  from: string,
  to: string,
  depth = 0,
): Promise<void> {
  if (depth > 16) return;
  let names: string[];
  try {
    names = await readdir(modulesDir);
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(modulesDir, name);
    if (!(await stat(path).catch(() => undefined))?.isDirectory()) continue;
    if (!existsSync(join(path, 'HEAD'))) {
      // A submodule named a/b lives in modules/a/b.
      await moveSubmoduleWorktrees(path, from, to, depth + 1);
      continue;
    }
    const config = join(path, 'config');
    const text = await readFile(config, 'utf8').catch(() => undefined);
    const match = text?.match(/^(\s*worktree\s*=\s*)(.+?)\s*$/m);
    if (text && match) {
      const target = resolve(path, match[2]!);
      if (target === from || target.startsWith(`${from}/`)) {
        const moved = relative(path, join(to, relative(from, target)));
        await writeFile(config, text.replace(match[0], `${match[1]}${moved}`));
      }
    }
    await moveSubmoduleWorktrees(join(path, 'modules'), from, to, depth + 1);
  }
}

/** Whether someone ran `git worktree lock` on it: then it is theirs, neither reused nor deleted. */
export async function isLocked(dir: string): Promise<boolean> {
  const admin = await readWorktreeAdmin(dir);
  return admin !== undefined && existsSync(join(admin, 'locked'));
}

/** The absolute path of a worktree's admin directory (`<git dir>/worktrees/<id>`), from its `.git` file. */
export async function readWorktreeAdmin(dir: string): Promise<string | undefined> {
  try {
    const content = await readFile(join(dir, '.git'), 'utf8');
    const path = content.match(/^gitdir: (.+)$/m)?.[1];
    return path === undefined ? undefined : resolve(dir, path);
  } catch {
    return undefined;
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
