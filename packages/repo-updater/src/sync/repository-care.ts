import type { Logger } from '@toolkit/lifecycle';
import { adoptWorktree, isRegistered } from '../git/adopt.ts';
import { removeStaleLocks } from '../git/locks.ts';
import type { LocalRepository } from '../git/repository.ts';
import type { GitRunner } from '../git/runner.ts';
import type { CheckoutOptions } from '../git/worktrees.ts';

export interface RepositoryCareParts {
  git: GitRunner;
  repository: LocalRepository;
  sparse: Pick<CheckoutOptions, 'sparsePaths' | 'sparsePatterns'>;
  log: Logger;
  onRebuild?: (() => void) | undefined;
}

/**
 * Keeps the local repository usable between syncs. Before the first sync and after any failed one it
 * clears stale lock files and checks the repository, rebuilding it when damaged; once a repository is
 * new, the published worktree (whose files never moved) is registered with it again.
 */
export class RepositoryCare {
  readonly #parts: RepositoryCareParts;
  /** At start-up and after a failure: only then can a killed git have left locks or damage. */
  #suspect = true;
  #isNew = false;

  constructor(parts: RepositoryCareParts) {
    this.#parts = parts;
  }

  /** A sync failed: look again before the next one. */
  markSuspect(): void {
    this.#suspect = true;
  }

  async prepare(signal: AbortSignal): Promise<void> {
    const { repository, log } = this.#parts;
    if (this.#suspect) {
      const removed = await removeStaleLocks(repository.gitDir);
      if (removed.length > 0) log.warn({ locks: removed }, 'removed stale git lock files');
      await repository.removeLeftovers();
    }
    if (await repository.ensureCreated(signal)) {
      this.#suspect = false;
      this.#isNew = true;
      return;
    }
    if (!this.#suspect) return;
    const damage = await repository.findDamage(signal);
    if (damage) {
      log.warn({ damage }, 'local repository is damaged: rebuilding it beside the published tree');
      await repository.rebuild(signal);
      this.#parts.onRebuild?.();
      this.#isNew = true;
    }
    this.#suspect = false;
  }

  /**
   * The remote still names the published commit: after a rebuild, re-register that worktree so git
   * works inside it again (its files are not touched).
   */
  async keepPublished(dir: string, commit: string, signal: AbortSignal): Promise<void> {
    if (!this.#isNew) return;
    const { git, repository, sparse, log } = this.#parts;
    if (!(await isRegistered(dir))) {
      await adoptWorktree(git, repository.gitDir, dir, commit, sparse, signal);
      log.info({ commit }, 'the published worktree is registered with the rebuilt repository');
    }
    this.#isNew = false;
  }

  /** A new commit is being published: the old tree will be retired, nothing to adopt. */
  moveOn(): void {
    this.#isNew = false;
  }
}
