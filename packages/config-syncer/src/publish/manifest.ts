import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-write.ts';
import type { Durability } from './durability.ts';
import type { FileOwner } from './file-owner.ts';

/**
 * The names of the files the syncer wrote to the target, kept in the target. It is what lets the
 * syncer remove files that left the source without ever touching files someone else put in the
 * directory, across restarts. Names only: it changes, and costs a write, only when a file is added or
 * removed; contents are compared on disk at start.
 */
export const manifestName = '.config-syncer-manifest';

export interface LoadedManifest {
  names: Set<string>;
  /** Set when a manifest was there but unreadable: nothing is removed until the next good one. */
  problem?: string;
}

export async function readManifest(dir: string): Promise<LoadedManifest> {
  let text: string;
  try {
    text = await readFile(`${dir}/${manifestName}`, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { names: new Set() };
    return { names: new Set(), problem: (error as Error).message };
  }
  try {
    const parsed = JSON.parse(text) as { files?: unknown };
    const files = Array.isArray(parsed.files) ? parsed.files : [];
    const names = files.filter((name): name is string => typeof name === 'string');
    // Anyone who can write the shared target can write this file: a name that is not a relative path
    // inside the target (`../victim`, `/etc/x`, `a/../../x`) makes the whole manifest untrusted.
    const unsafe = names.filter((name) => !isSafeName(name));
    if (unsafe.length > 0) {
      return {
        names: new Set(),
        problem: `lists ${unsafe.map((name) => JSON.stringify(name)).join(', ')}: only relative paths inside the target are ever removed`,
      };
    }
    return { names: new Set(names) };
  } catch (error) {
    return { names: new Set(), problem: `not JSON: ${(error as Error).message}` };
  }
}

/** A name of a file directly in the target: no separator, not `.` or `..`, not the manifest itself. */
export function isPlainName(name: string): boolean {
  return (
    name !== '' &&
    name !== '.' &&
    name !== '..' &&
    name !== manifestName &&
    !name.includes('/') &&
    !name.includes('\\') &&
    !name.includes('\0')
  );
}

/**
 * A path of a file inside the target (`--recursive` publishes `sub/app.yaml`): plain names joined by
 * `/`, so nothing absolute, no `.`, `..` or empty segment.
 */
export function isSafeName(name: string): boolean {
  return name.split('/').every(isPlainName);
}

export async function writeManifest(
  dir: string,
  names: Iterable<string>,
  owner: FileOwner | undefined,
  durability: Durability,
): Promise<void> {
  await writeFileAtomic(dir, manifestName, manifestContent(names), 0o644, owner, durability);
}

export function manifestContent(names: Iterable<string>): Buffer {
  return Buffer.from(`${JSON.stringify({ writer: 'config-syncer', files: [...names].sort() }, null, 2)}\n`);
}

export function sameNames(a: ReadonlyMap<string, unknown>, b: ReadonlyMap<string, unknown>): boolean {
  return a.size === b.size && [...a.keys()].every((name) => b.has(name));
}
