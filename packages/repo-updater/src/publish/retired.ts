import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Worktrees that are no longer published, each with the time it was replaced. They stay on disk, not
 * touched, for the grace period, so a process that resolved the link a moment ago (or has its cwd
 * inside) can finish. After that they are deleted; with `keepSpare`, the most recently replaced one is
 * kept instead as the spare the next commit is checked out into in place (only changed files written).
 */
export class RetiredWorktrees {
  readonly #graceMs: number;
  readonly #now: () => number;
  readonly #keepSpare: boolean;
  readonly #retiredAt = new Map<string, number>();
  /** Out of its grace period, kept for reuse; with the time it was replaced. */
  #spare: { dir: string; at: number } | undefined;

  constructor(graceMs: number, now: () => number = Date.now, keepSpare = false) {
    this.#graceMs = graceMs;
    this.#now = now;
    this.#keepSpare = keepSpare;
  }

  retire(dir: string): void {
    if (this.#spare?.dir === dir) return;
    if (!this.#retiredAt.has(dir)) this.#retiredAt.set(dir, this.#now());
  }

  /** Published again (a revert to a recent commit), or about to be: keep it, and not as the spare. */
  restore(dir: string): void {
    this.#retiredAt.delete(dir);
    if (this.#spare?.dir === dir) this.#spare = undefined;
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

  /**
   * Worktrees whose grace period is over, to delete; they are forgotten here. With `keepSpare` the most
   * recently replaced of them (or the spare kept before, if newer) is held back as the spare.
   */
  takeExpired(): string[] {
    const now = this.#now();
    const expired = [...this.#retiredAt]
      .filter(([, at]) => now - at >= this.#graceMs)
      .map(([dir, at]) => ({ dir, at }));
    for (const { dir } of expired) this.#retiredAt.delete(dir);
    if (!this.#keepSpare) return expired.map(({ dir }) => dir);
    if (this.#spare) expired.push(this.#spare);
    if (expired.length === 0) return [];
    // The newest: closest to what is published, so the fewest files differ. Ties (start-up): the last.
    const newest = expired.reduce((best, entry) => (entry.at >= best.at ? entry : best));
    this.#spare = newest;
    return expired.filter((entry) => entry !== newest).map(({ dir }) => dir);
  }

  /**
   * Hands over the spare for a sync to check a new commit out into: the most recently replaced worktree
   * whose grace period is over. Undefined when there is none (reuse is off, or every replaced worktree is
   * still within its grace period). Worktrees in `exclude` (the published one, the target) are never
   * handed over. It is forgotten here: the caller owns it from then on.
   */
  takeSpare(exclude: readonly string[] = []): string | undefined {
    if (!this.#keepSpare) return undefined;
    const now = this.#now();
    const candidates = [...this.#retiredAt]
      .filter(([, at]) => now - at >= this.#graceMs)
      .map(([dir, at]) => ({ dir, at }));
    if (this.#spare) candidates.push(this.#spare);
    const usable = candidates.filter(({ dir }) => !exclude.includes(dir));
    if (usable.length === 0) return undefined;
    const newest = usable.reduce((best, entry) => (entry.at >= best.at ? entry : best));
    this.restore(newest.dir);
    return newest.dir;
  }

  /**
   * Hands over `dir` itself when it is the spare or its grace period is over (a revert to the commit it
   * holds); false when reuse is off or it is still within its grace period.
   */
  takeIfOutOfGrace(dir: string): boolean {
    if (!this.#keepSpare) return false;
    const at = this.#retiredAt.get(dir);
    const out = this.#spare?.dir === dir || (at !== undefined && this.#now() - at >= this.#graceMs);
    if (out) this.restore(dir);
    return out;
  }

  /** Milliseconds until the next one expires, or undefined when none is waiting. */
  nextExpiryIn(): number | undefined {
    if (this.#retiredAt.size === 0) return undefined;
    const oldest = Math.min(...this.#retiredAt.values());
    return Math.max(0, oldest + this.#graceMs - this.#now());
  }

  /** The worktree kept for reuse, if any. */
  get spare(): string | undefined {
    return this.#spare?.dir;
  }

  /** Worktrees within their grace period. */
  get size(): number {
    return this.#retiredAt.size;
  }
}
