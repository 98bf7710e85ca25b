import { randomBytes } from 'node:crypto';
import { lstatSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { badOption, readLinkTarget, removeLeftoverLinks, swapLink } from '@toolkit/lifecycle';
import type { FileSet } from '../snapshot.ts';
import { hashContent } from '../snapshot.ts';
import { createFiles, tempPathIn } from './atomic-write.ts';
import type { Durability } from './durability.ts';
import { checkCanChown, type FileOwner, makeDirectories } from './file-owner.ts';
import { manifestContent, manifestName } from './manifest.ts';

/** How the set reaches the target: file by file in a directory, or a symlink swapped to a whole set. */
export const publishLayouts = ['files', 'link'] as const;
export type PublishLayout = (typeof publishLayouts)[number];

/** How long a replaced set directory stays after the swap (the one just replaced always stays). */
export const linkGraceMs = 30_000;

/**
 * `--publish-layout link`: the target path is a symlink to a complete directory of the whole set. A
 * publish writes a new set directory beside the old one, then points the link at it with one rename(2)
 * of a new symlink over the old, so an app that resolves the link once sees one set, never a new file
 * beside an old one (what the kubelet does for ConfigMap volumes with `..data`).
 *
 * Set directories live in `.<target name>.sets/` next to the link (hidden, so an app globbing the
 * parent skips them; same filesystem, so nothing is copied at the swap).
 */
export class LinkLayout {
  readonly #link: string;
  readonly #setsDir: string;
  readonly #graceMs: number;
  readonly #owner: FileOwner | undefined;
  /** Set directories replaced by a swap, with the time they stopped being current. */
  readonly #retired = new Map<string, number>();

  constructor(link: string, graceMs: number, owner: FileOwner | undefined) {
    this.#link = link;
    this.#setsDir = join(dirname(link), `.${basename(link)}.sets`);
    this.#graceMs = graceMs;
    this.#owner = owner;
  }

  /**
   * Checks the target can be a link (nothing there, or a symlink) and removes what a killed run left:
   * a temporary link, set directories the link does not point at. Returns the names removed.
   */
  async open(): Promise<string[]> {
    try {
      if (!lstatSync(this.#link).isSymbolicLink()) {
        throw badOption(
          'publishLayout',
          `link needs --target to be a symlink or absent, and ${this.#link} is not a symlink (move its files away, or keep --publish-layout files)`,
        );
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await makeDirectories(this.#setsDir, this.#owner);
    const current = await this.currentSet();
    const removed = await removeLeftoverLinks(this.#link);
    for (const name of await readdir(this.#setsDir)) {
      const dir = join(this.#setsDir, name);
      if (dir === current) continue;
      await rm(dir, { recursive: true, force: true });
      removed.push(join(basename(this.#setsDir), name));
    }
    if (this.#owner) await checkCanChown(tempPathIn(this.#setsDir), this.#owner);
    return removed;
  }

  /** Where the set directories are: the filesystem `--fsync auto` looks at. */
  get setsDir(): string {
    return this.#setsDir;
  }

  /** The set directory the link points at, or undefined when there is no link yet. */
  currentSet(): Promise<string | undefined> {
    return readLinkTarget(this.#link);
  }

  /**
   * Writes the whole set (and its manifest) into a new directory, makes it durable, swaps the link to
   * it, then removes set directories past their grace. Returns name → hash of what is published.
   */
  async publish(
    files: FileSet,
    mode: number,
    revision: string,
    durability: Durability,
  ): Promise<Map<string, string>> {
    const dir = join(this.#setsDir, `${revision}-${randomBytes(4).toString('hex')}`);
    const owner = this.#owner;
    const published = new Map<string, string>();
    try {
      await makeDirectories(dir, owner);
      // A fresh directory of the syncer's own: its subdirectories are made here, nothing to check.
      for (const name of files.keys()) await makeDirectories(dirname(join(dir, name)), owner);
      for (const [name, content] of files) published.set(name, hashContent(content));
      const writes = [...files].map(([name, content]) => ({ path: join(dir, name), content, mode }));
      const manifest = { path: join(dir, manifestName), content: manifestContent(published.keys()) };
      await createFiles([...writes, { ...manifest, mode: 0o644 }], owner, durability);
      // Every directory of the new set (its subdirectories too), and its entry in the sets directory.
      const dirs = new Set([dir, this.#setsDir]);
      for (const name of files.keys()) {
        for (let sub = dirname(name); sub !== '.'; sub = dirname(sub)) dirs.add(join(dir, sub));
      }
      await Promise.all([...dirs].map((path) => durability.syncDirectory(path)));
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    const previous = await this.currentSet();
    await swapLink(this.#link, dir, this.#owner);
    await durability.syncDirectory(dirname(this.#link));
    if (previous && previous !== dir) this.#retired.set(previous, Date.now());
    await this.#removeExpired(previous);
    return published;
  }

  /**
   * The previous set always stays (an app that resolved the link just before the swap is still
   * reading it); older ones go once they have been replaced for longer than the grace.
   */
  async #removeExpired(previous: string | undefined): Promise<void> {
    const now = Date.now();
    for (const [dir, retiredAt] of this.#retired) {
      if (dir === previous || now - retiredAt < this.#graceMs) continue;
      await rm(dir, { recursive: true, force: true });
      this.#retired.delete(dir);
    }
  }
}
