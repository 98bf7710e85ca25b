import { compareHead } from '../disk/file-identity.ts';

/** Files let go are remembered this long (by count). */
const limit = 1000;

/**
 * Files read to their end and let go (renamed away and idle, or a finished copy), by inode: found
 * again (a rescan, a rename back under a followed name) they resume where reading stopped instead
 * of being read again.
 */
export class RetiredFiles {
  readonly #files = new Map<string, { head: Buffer; offset: number }>();

  has(key: string): boolean {
    return this.#files.has(key);
  }

  remember(key: string, head: Buffer, offset: number): void {
    this.#files.set(key, { head, offset });
    if (this.#files.size > limit) this.#files.delete(this.#files.keys().next().value!);
  }

  /** The offset to resume at, when the inode still holds the file let go (same first bytes); forgets it. */
  recall(key: string, head: Buffer): number | undefined {
    const retired = this.#files.get(key);
    this.#files.delete(key);
    return retired && compareHead(retired.head, head) === 'same' ? retired.offset : undefined;
  }
}
