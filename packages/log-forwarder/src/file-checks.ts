import type { FileHandle } from 'node:fs/promises';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type FileKey, fileKeyOf, fingerprintOf, readHead, sameKey } from './file-identity.ts';

/** `same`: the name leads to the file; `moved`: it leads elsewhere or nowhere (renamed or deleted). */
export type PathState = 'same' | 'moved';

export async function checkPath(path: string, key: FileKey): Promise<PathState> {
  try {
    return sameKey(fileKeyOf(await stat(path, { bigint: true })), key) ? 'same' : 'moved';
  } catch {
    return 'moved';
  }
}

/** An open regular file with its identity read from the descriptor, not the name (a rename may come between). */
export interface OpenedFile {
  handle: FileHandle;
  key: FileKey;
  size: number;
  head: Buffer;
  /** Birth time in Unix milliseconds (the last modification when the file system keeps none). */
  bornMs: number;
  /** Birth time in Unix milliseconds, 0 when the file system keeps none. */
  birthMs: number;
}

export async function openFile(path: string, headBytes: number): Promise<OpenedFile | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const stats = await handle.stat({ bigint: true });
    if (!stats.isFile()) throw new Error('not a regular file');
    const head = await readHead(handle, headBytes);
    // Without a birth time (some file systems), the last write says when the file was last new.
    const birthMs = Number(stats.birthtimeMs);
    const bornMs = birthMs || Number(stats.mtimeMs);
    return { handle, key: fileKeyOf(stats), size: Number(stats.size), head, bornMs, birthMs };
  } catch {
    await handle.close().catch(() => {});
    return undefined;
  }
}

/** A file in `dir` whose head matches a fingerprint: where a renamed or copied file went. */
export interface FoundFile {
  path: string;
  key: FileKey;
  size: number;
  /** Birth time (Unix ms), 0 when the file system keeps none. */
  birthMs: number;
}

/**
 * Looks through a directory for a file whose first `bytes` bytes have `fingerprint` (a rotated file
 * found on restart, or the copy logrotate made before a truncation). `accept` filters the candidates;
 * an exact device and inode match, when asked for, is preferred.
 */
export async function findByFingerprint(
  dir: string,
  fingerprint: string,
  bytes: number,
  accept: (found: FoundFile) => boolean,
  preferKey?: FileKey,
): Promise<FoundFile | undefined> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  const matches: FoundFile[] = [];
  for (const name of names.slice(0, 1000)) {
    const path = join(dir, name);
    const opened = await openFile(path, bytes);
    if (!opened) continue;
    await opened.handle.close().catch(() => {});
    if (opened.head.length !== bytes || fingerprintOf(opened.head) !== fingerprint) continue;
    const found = { path, key: opened.key, size: opened.size, birthMs: opened.birthMs };
    if (accept(found)) matches.push(found);
  }
  return matches.find((found) => preferKey && sameKey(found.key, preferKey)) ?? matches[0];
}

/** Compressed rotations: their bytes are not lines. */
const compressed = /\.(gz|bz2|xz|zst|lz4|zip)$/;

/**
 * Files of a log that were created and renamed away while the forwarder was not looking (a burst of
 * rotations on a starved CPU, or several rotations while it was stopped): in `dir`, named like the
 * log (`app.log.1`, `app.log-2026...`), born after the file followed before and before the one
 * followed now. Oldest first.
 */
export async function findMissedRotations(
  dir: string,
  prefix: string,
  bornAfterMs: number,
  bornBeforeMs: number,
  accept: (path: string, key: FileKey) => boolean,
): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const found: { path: string; birthMs: number }[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || compressed.test(name)) continue;
    const path = join(dir, name);
    const stats = await stat(path, { bigint: true }).catch(() => undefined);
    if (!stats?.isFile()) continue;
    const birthMs = Number(stats.birthtimeMs);
    if (birthMs > bornAfterMs && birthMs < bornBeforeMs && accept(path, fileKeyOf(stats)))
      found.push({ path, birthMs });
  }
  return found.sort((a, b) => a.birthMs - b.birthMs).map((file) => file.path);
}
