import { basename } from 'node:path';
import type { Logger } from '@toolkit/lifecycle';
import type { LocalRepository } from '../git/repository.ts';
import { removeWorktreeFiles } from '../git/worktrees.ts';
import { readPublishedTree } from './link.ts';
import type { RetiredWorktrees } from './retired.ts';

/**
 * Deletes the worktrees whose grace period is over, then lets git forget them. Runs between syncs.
 * Whatever the link points at is kept, whatever the bookkeeping says.
 */
export async function removeExpiredWorktrees(
  retired: RetiredWorktrees,
  repository: LocalRepository,
  linkPath: string,
  log: Logger,
  signal: AbortSignal,
): Promise<void> {
  const expired = retired.takeExpired();
  if (expired.length === 0) return;
  const published = await readPublishedTree(linkPath).catch(() => undefined);
  const removed: string[] = [];
  for (const dir of expired) {
    if (dir === published?.dir) continue;
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
