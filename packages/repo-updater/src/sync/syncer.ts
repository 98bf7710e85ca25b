import { existsSync } from 'node:fs';
import type { Logger } from '@toolkit/lifecycle';
import type { LocalRepository } from '../git/repository.ts';
import type { GitRunner } from '../git/runner.ts';
import {
  type CheckoutOptions,
  checkOutWorktree,
  isCompleteCheckout,
  removeWorktreeFiles,
} from '../git/worktrees.ts';
import { type Layout, worktreePath } from '../layout.ts';
import { readPublishedTree, swapLink } from '../publish/link.ts';
import type { RetiredWorktrees } from '../publish/retired.ts';
import { explainNoSpace } from './disk-space.ts';
import { RepositoryCare } from './repository-care.ts';
import { SyncError, type SyncStep, toSyncError } from './sync-error.ts';

export type SyncResult = 'success' | 'noop' | 'rejected' | 'error';

export interface SyncOutcome {
  result: SyncResult;
  /** The commit published after this sync (unchanged on noop, rejected and error). */
  commit: string | undefined;
  /** On success, the commit it replaced. */
  previous?: string | undefined;
  /** The published worktree. */
  dir?: string | undefined;
  error?: SyncError | undefined;
}

export interface SyncerParts {
  git: GitRunner;
  repository: LocalRepository;
  layout: Layout;
  checkout: CheckoutOptions;
  retired: RetiredWorktrees;
  /** Runs in the new worktree before it is published; throwing keeps the link where it is. */
  validate?: ((dir: string, commit: string, signal: AbortSignal) => Promise<void>) | undefined;
  onFetch?: (ok: boolean) => void;
  onRebuild?: () => void;
  log: Logger;
}

/**
 * One sync: fetch the ref, check the commit out into its own worktree, validate it, swap the link.
 * Never throws: every failure is an outcome, and the link only ever moves to a complete tree.
 */
export class Syncer {
  readonly #parts: SyncerParts;
  readonly #care: RepositoryCare;
  /** The last commit the validation command refused: not tried again until the ref moves. */
  #rejected: { commit: string; error: SyncError } | undefined;

  constructor(parts: SyncerParts) {
    this.#parts = parts;
    this.#care = new RepositoryCare({ ...parts, sparsePaths: parts.checkout.sparsePaths });
  }

  async sync(signal: AbortSignal): Promise<SyncOutcome> {
    const { layout, retired } = this.#parts;
    let step: SyncStep = 'prepare';
    let commit: string | undefined;
    let created: string | undefined;
    const published = await readPublishedTree(layout.linkPath).catch(() => undefined);
    const current = published?.exists ? published.commit : undefined;
    try {
      await this.#care.prepare(signal);
      step = 'fetch';
      commit = await this.#fetch(signal);
      if (commit === current) {
        await this.#care.keepPublished(published!.dir, commit, signal);
        return { result: 'noop', commit };
      }
      this.#care.moveOn();
      if (commit === this.#rejected?.commit)
        return { result: 'rejected', commit: current, error: this.#rejected.error };
      step = 'checkout';
      const dir = worktreePath(layout, commit);
      created = (await this.#prepareWorktree(dir, commit, signal)) ? dir : undefined;
      step = 'validate';
      if (this.#parts.validate) {
        const rejection = await this.#validate(dir, commit, signal);
        if (rejection) {
          created = undefined;
          await removeWorktreeFiles(dir);
          return { result: 'rejected', commit: current, error: rejection };
        }
      }
      step = 'publish';
      await swapLink(layout.linkPath, dir);
      created = undefined;
      retired.restore(dir);
      if (published && published.dir !== dir) retired.retire(published.dir);
      return { result: 'success', commit, previous: current, dir };
    } catch (error) {
      let syncError = toSyncError(error, step, signal, commit);
      this.#care.markSuspect();
      const noSpace =
        syncError.code === 'CHECKOUT_FAILED' && commit
          ? await explainNoSpace(this.#parts.git, this.#parts.repository.gitDir, commit, layout.worktreesDir)
          : undefined;
      if (noSpace) syncError = new SyncError('NO_SPACE', step, `no space left on device: ${noSpace}`, commit);
      // A partial worktree is never published: delete it now rather than after a grace period.
      if (created) await removeWorktreeFiles(created).catch(() => {});
      return { result: 'error', commit: current, error: syncError };
    }
  }

  async #fetch(signal: AbortSignal): Promise<string> {
    try {
      const { commit, fetched } = await this.#parts.repository.fetch(signal);
      if (fetched) this.#parts.onFetch?.(true);
      return commit;
    } catch (error) {
      this.#parts.onFetch?.(false);
      throw error;
    }
  }

  /** Makes `dir` a complete checkout of `commit`; true when it was created now, false when reused. */
  async #prepareWorktree(dir: string, commit: string, signal: AbortSignal): Promise<boolean> {
    const { git, repository, checkout, retired, log } = this.#parts;
    if (existsSync(dir)) {
      // Published before and still within its grace period (a revert), or left by a crash.
      if (await isCompleteCheckout(git, dir, commit, signal)) {
        log.debug({ commit }, 'reusing the existing worktree of this commit');
        return false;
      }
      retired.restore(dir);
      await removeWorktreeFiles(dir);
    }
    await checkOutWorktree(git, repository.gitDir, dir, commit, checkout, signal);
    return true;
  }

  async #validate(dir: string, commit: string, signal: AbortSignal): Promise<SyncError | undefined> {
    try {
      await this.#parts.validate!(dir, commit, signal);
      return undefined;
    } catch (error) {
      if (signal.aborted) throw error;
      const rejection = new SyncError('VALIDATION_FAILED', 'validate', (error as Error).message, commit);
      this.#rejected = { commit, error: rejection };
      return rejection;
    }
  }
}
