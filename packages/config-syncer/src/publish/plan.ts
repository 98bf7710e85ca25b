import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FileSet, hashContent } from '../snapshot.ts';
import type { FileOwner } from './file-owner.ts';

export interface FileWrite {
  name: string;
  content: Buffer;
  hash: string;
  action: 'create' | 'update';
}

/**
 * The files the syncer wrote to the target: name → sha256 of what it wrote, or '' when not known yet
 * (a name read from the manifest at start: the content on disk is compared instead).
 */
export type Published = ReadonlyMap<string, string>;

/** What a publish would do to the target directory. */
export interface Plan {
  writes: FileWrite[];
  /** Files the syncer wrote earlier that are gone from the source. */
  removals: string[];
  /** The files written by the syncer once the plan is carried out. */
  published: Published;
  unchanged: number;
}

export function hasChanges(plan: Plan): boolean {
  return plan.writes.length > 0 || plan.removals.length > 0;
}

export interface PlanOptions {
  dir: string;
  mode: number;
  /** With --file-owner: a file on disk with another owner is rewritten. */
  owner: FileOwner | undefined;
  /**
   * Compare with the files on disk, not only with the manifest: catches a target file someone edited
   * or deleted, or one a killed run left at the new version while its manifest still has the old.
   */
  verify: boolean;
}

export function planChanges(files: FileSet, current: Published, options: PlanOptions): Plan {
  const published = new Map<string, string>();
  // Synchronous reads, as for the sources: small files, and far cheaper than thread-pool round trips.
  const decided = [...files].map(([name, content]) => {
    const hash = hashContent(content);
    if (!options.verify && current.get(name) === hash) {
      published.set(name, hash);
      return undefined;
    }
    const onDisk = describeTargetFile(join(options.dir, name), options.mode, options.owner);
    if (onDisk.hash === hash && onDisk.attributesMatch) {
      // Already right on disk. Only a file the syncer wrote stays recorded: an identical file
      // someone else put there is left alone, and is never removed either.
      if (current.has(name)) published.set(name, hash);
      return undefined;
    }
    published.set(name, hash);
    return { name, content, hash, action: onDisk.exists ? 'update' : 'create' } satisfies FileWrite;
  });
  const writes = decided.filter((write) => write !== undefined).sort((a, b) => a.name.localeCompare(b.name));
  const removals = [...current.keys()].filter((name) => !files.has(name)).sort();
  return { writes, removals, published, unchanged: files.size - writes.length };
}

function describeTargetFile(
  path: string,
  mode: number,
  owner: FileOwner | undefined,
): { exists: boolean; hash?: string; attributesMatch: boolean } {
  try {
    // lstat: a link someone put under a published name is not "already right" even when it leads to the
    // same bytes (they could change them later); it is replaced, and what it leads to is never read.
    const stats = lstatSync(path);
    if (!stats.isFile()) return { exists: true, attributesMatch: false };
    const ownerMatches = !owner || (stats.uid === owner.uid && stats.gid === owner.gid);
    return {
      exists: true,
      hash: hashContent(readFileSync(path)),
      attributesMatch: (stats.mode & 0o7777) === mode && ownerMatches,
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false, attributesMatch: false };
    throw error;
  }
}
