import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Worktrees that are no longer published, each with the time it was replaced. They stay on disk for
 * the grace period, so a process that resolved the link a moment ago (or has its cwd inside) can finish.
 */
export class RetiredWorktrees {
  readonly #graceMs: number;
  readonly #now: () => number;
  readonly #retiredAt = new Map<string, number>();

  constructor(graceMs: number, now: () => number = Date.now) {
    this.#graceMs = graceMs;
    this.#now = now;
  }

  retire(dir: string): void {
    if (!this.#retiredAt.has(dir)) this.#retiredAt.set(dir, this.#now());
  }

  /** Published again (a revert to a recent commit): keep it. */
  restore(dir: string): void {
    this.#retiredAt.delete(dir);
  }

  /**
   * At start-up every worktree but the published one counts as replaced now: nobody knows when it
   * was, so each gets a full grace period. Temporary and partial ones are included.
   */
  async retireAllBut(worktreesDir: string, published: string | undefined): Promise<void> {
    let names: string[];
    try {
      names = await readdir(worktreesDir);
    } catch {
      return;
    }
    for (const name of names) {
      const dir = join(worktreesDir, name);
      if (dir !== published) this.retire(dir);
    }
  }

  /** Worktrees whose grace period is over; they are forgotten here, the caller deletes them. */
  takeExpired(): string[] {
    const now = this.#now();
    const expired = [...this.#retiredAt].filter(([, at]) => now - at >= this.#graceMs).map(([dir]) => dir);
    for (const dir of expired) this.#retiredAt.delete(dir);
    return expired;
  }

  /** Milliseconds until the next one expires, or undefined when none is waiting. */
  nextExpiryIn(): number | undefined {
    if (this.#retiredAt.size === 0) return undefined;
    const oldest = Math.min(...this.#retiredAt.values());
    return Math.max(0, oldest + this.#graceMs - this.#now());
  }

  get size(): number {
    return this.#retiredAt.size;
  }
}
