import { mkdir } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Logger } from '@toolkit/lifecycle';
import type { LocalRepository } from '../git/repository.ts';
import { isLocked, removeWorktreeFiles } from '../git/worktrees.ts';
import type { Layout } from '../layout.ts';
import { readPublishedTree, removeLeftoverLinks } from './link.ts';
import type { RetiredWorktrees } from './retired.ts';

/**
 * At start-up, over a root an earlier run may have left: every worktree but the published one is
 * retired now (a full grace period each, then deleted or kept as the spare), temporary links removed.
 */
export async function takeOverRoot(layout: Layout, retired: RetiredWorktrees): Promise<void> {
  await mkdir(layout.worktreesDir, { recursive: true });
  const published = await readPublishedTree(layout.linkPath);
  await retired.retireAllBut(layout.worktreesDir, published?.exists ? published.dir : undefined);
  await removeLeftoverLinks(layout.linkPath);
}

/**
 * Deletes the worktrees whose grace period is over (but the spare), then lets git forget them. Runs
 * between syncs. Whatever the link points at is kept, whatever the bookkeeping says, and so is a
 * worktree someone locked (`git worktree lock`).
 */
export async function removeExpiredWorktrees(
  retired: RetiredWorktrees,
  repository: LocalRepository,
  linkPath: string,
  log: Logger,
  signal: AbortSignal,
): Promise<void> {
  const spare = retired.spare;
  const expired = retired.takeExpired();
  if (retired.spare && retired.spare !== spare) {
    // A new spare: its grace period over, the files of its last checkout are likely older than the
    // index written now, so one refresh spares the next checkout from reading them all again; cleaned
    // now too, so the next sync need not (unless something changes in it meanwhile).
    const spareDir = retired.spare;
    // A tree someone locked (`git worktree lock`) is theirs: not cleaned, and not reused either.
    if (!(await isLocked(spareDir))) {
      await repository.cleanSpare(spareDir, signal).catch((error) => {
        if (!signal.aborted) log.debug({ error: (error as Error).message }, 'cannot clean the spare');
      });
    }
    await repository.refreshIndex(spareDir, signal).catch((error) => {
      if (!signal.aborted) log.debug({ error: (error as Error).message }, 'cannot refresh the spare index');
    });
  }
  if (expired.length === 0) return;
  const published = await readPublishedTree(linkPath).catch(() => undefined);
  const removed: string[] = [];
  for (const dir of expired) {
    if (dir === published?.dir || (await isLocked(dir))) continue;
    try {
      await removeWorktreeFiles(dir);
      removed.push(basename(dir));
    } catch (error) {
      log.warn({ dir, error: (error as Error).message }, 'cannot remove an old worktree');
    }
  }
  try {
    await repository.maintain(signal);
  } catch (error) {
    if (!signal.aborted) log.warn({ error: (error as Error).message }, 'git worktree prune / gc failed');
  }
  if (removed.length > 0) log.info({ removed }, 'removed old worktrees');
}
