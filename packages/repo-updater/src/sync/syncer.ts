import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@toolkit/lifecycle';
import type { LocalRepository } from '../git/repository.ts';
import type { GitRunner } from '../git/runner.ts';
import {
  type CheckoutOptions,
  checkOutWorktree,
  findReuseProblem,
  isCompleteCheckout,
  moveWorktree,
  removeWorktreeFiles,
  updateWorktree,
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
  /**
   * On success, how its tree was made: the spare brought to the commit in place, a new worktree, or
   * an existing worktree of the same commit (a revert within its grace period).
   */
  checkout?: 'spare' | 'new' | 'existing' | undefined;
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
  /** Before each fetch: credentials that need renewing (a GitHub App token); throwing fails the sync. */
  prepareFetch?: ((signal: AbortSignal) => Promise<void>) | undefined;
  onRebuild?: () => void;
  log: Logger;
}

/**
 * One sync: fetch the ref, check the commit out into its own worktree, validate it, swap the link.
 * Never throws: every failure is an outcome, and the link only ever moves to a complete tree.
 *
 * The worktree is made under a neutral name (`.worktrees/tree-<random>`) and renamed to
 * `.worktrees/<commit>` once complete, so a directory named by a commit always holds all of it. It is
 * either the spare (an old worktree past its grace period, brought to the commit in place: only changed
 * files are written) or, when there is none or it cannot be used, a new `git worktree add`. The
 * published tree is never the spare: a swap leaves the tree it replaces untouched.
 */
export class Syncer {
  readonly #parts: SyncerParts;
  readonly #care: RepositoryCare;
  /** The last commit the validation command refused: not tried again until the ref moves. */
  #rejected: { commit: string; error: SyncError } | undefined;

  constructor(parts: SyncerParts) {
    this.#parts = parts;
    this.#care = new RepositoryCare({ ...parts, sparse: parts.checkout });
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
      const checkout = await this.#prepareWorktree(dir, commit, published?.dir, signal, (path) => {
        created = path;
      });
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
      return { result: 'success', commit, previous: current, dir, checkout };
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
      await this.#parts.prepareFetch?.(signal);
    } catch (error) {
      if (signal.aborted) throw error;
      throw new SyncError('CREDENTIALS_FAILED', 'fetch', (error as Error).message);
    }
    try {
      const { commit, fetched } = await this.#parts.repository.fetch(signal);
      if (fetched) this.#parts.onFetch?.(true);
      return commit;
    } catch (error) {
      this.#parts.onFetch?.(false);
      throw error;
    }
  }

  /**
   * Makes `dir` a complete checkout of `commit` and resolves with how. `partial` is told where a tree
   * made now is (unfinished until this resolves), for the caller to delete if this throws or the
   * commit is refused.
   */
  async #prepareWorktree(
    dir: string,
    commit: string,
    published: string | undefined,
    signal: AbortSignal,
    partial: (path: string) => void,
  ): Promise<NonNullable<SyncOutcome['checkout']>> {
    const { git, repository, layout, checkout, retired, log } = this.#parts;
    if (existsSync(dir) && retired.takeIfOutOfGrace(dir)) {
      // A revert to the commit the spare holds: cleaned and checked (cheap: nothing differs) in place.
      const building = await this.#updateSpare(dir, commit, signal, partial);
      if (building) {
        await moveWorktree(building, dir);
        partial(dir);
        return 'spare';
      }
    }
    if (existsSync(dir)) {
      // Published before and still within its grace period (a revert), or left by a crash.
      if (await isCompleteCheckout(git, dir, commit, signal)) {
        log.debug({ commit }, 'reusing the existing worktree of this commit');
        return 'existing';
      }
      retired.restore(dir);
      await removeWorktreeFiles(dir);
    }
    const spare = retired.takeSpare(published ? [dir, published] : [dir]);
    let building = spare ? await this.#updateSpare(spare, commit, signal, partial) : undefined;
    const how = building ? 'spare' : 'new';
    if (!building) {
      building = newWorktreeName(layout.worktreesDir);
      partial(building);
      await checkOutWorktree(git, repository.gitDir, building, commit, checkout, signal);
    }
    await moveWorktree(building, dir);
    partial(dir);
    return how;
  }

  /**
   * Brings the spare to `commit` under a neutral name and resolves with that name; undefined (the
   * spare deleted) when it cannot be used, for the caller to check the commit out anew.
   */
  async #updateSpare(
    spare: string,
    commit: string,
    signal: AbortSignal,
    partial: (path: string) => void,
  ): Promise<string | undefined> {
    const { git, repository, layout, checkout, log } = this.#parts;
    const problem = await findReuseProblem(spare, checkout);
    if (problem === 'locked') {
      log.info({ spare }, 'the spare worktree is locked (git worktree lock): leaving it alone');
      return undefined;
    }
    if (problem) {
      log.info({ spare, problem }, 'cannot reuse the spare worktree: deleting it');
      await removeWorktreeFiles(spare);
      await repository.pruneWorktrees(signal).catch(() => {});
      return undefined;
    }
    const building = newWorktreeName(layout.worktreesDir);
    const started = performance.now();
    try {
      // Renamed first: a path under its old name, still held by some reader, now fails to open
      // instead of reading a mix of two commits.
      await moveWorktree(spare, building);
      partial(building);
      await updateWorktree(git, building, commit, checkout, signal);
      log.debug(
        { commit, ms: Math.round(performance.now() - started) },
        'brought the spare worktree to the commit',
      );
      return building;
    } catch (error) {
      if (signal.aborted) throw error;
      log.warn(
        { spare, error: (error as Error).message },
        'cannot bring the spare worktree to the commit: checking it out anew',
      );
      await removeWorktreeFiles(building);
      await removeWorktreeFiles(spare);
      await repository.pruneWorktrees(signal).catch(() => {});
      return undefined;
    }
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

/** A directory name for a worktree being made: it names no commit until it holds all of one. */
function newWorktreeName(worktreesDir: string): string {
  return join(worktreesDir, `tree-${randomBytes(4).toString('hex')}`);
}
