import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open, readdir, readlink, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
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
  /** Last write, in Unix milliseconds. */
  modifiedMs: number;
}

/**
 * Directories a followed file must really be in (its name may be a symbolic link), or undefined when
 * links may lead anywhere (--follow-links-outside).
 */
export type LinkRoots = readonly string[] | undefined;

/** Where an open file really is: the kernel's name for the descriptor (no race), else its resolved name. */
async function realPathOf(handle: FileHandle, path: string): Promise<string> {
  return readlink(`/proc/self/fd/${handle.fd}`).catch(() => realpath(path));
}

async function isInside(realPath: string, roots: readonly string[]): Promise<boolean> {
  for (const root of roots) {
    const realRoot = await realpath(root).catch(() => root);
    for (const dir of new Set([realRoot, root]))
      if (realPath === dir || realPath.startsWith(dir.endsWith(sep) ? dir : dir + sep)) return true;
  }
  return false;
}

/**
 * Opens a regular file, and only one. Opening a FIFO for reading waits for a writer, holding one of
 * libuv's few pool threads (and the shutdown) forever, and opening a device may do anything: the name
 * is checked first, the open does not block (O_NONBLOCK: no effect on reading a regular file), and
 * the descriptor is checked again (the name may have changed between). With `roots`, a file that
 * really is outside them (reached through a symbolic link) is refused, after the open, by what the
 * descriptor is: a link swapped in meanwhile changes nothing.
 */
export async function openFile(
  path: string,
  headBytes: number,
  roots?: LinkRoots,
): Promise<OpenedFile | undefined> {
  const named = await stat(path).catch(() => undefined);
  if (!named?.isFile()) return undefined;
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const stats = await handle.stat({ bigint: true });
    if (!stats.isFile()) throw new Error('not a regular file');
    if (roots && !(await isInside(await realPathOf(handle, path), roots)))
      throw new Error('a link out of the watched directories');
    const head = await readHead(handle, headBytes);
    // Without a birth time (some file systems), the last write says when the file was last new.
    const birthMs = Number(stats.birthtimeMs);
    const bornMs = birthMs || Number(stats.mtimeMs);
    const modifiedMs = Number(stats.mtimeMs);
    return { handle, key: fileKeyOf(stats), size: Number(stats.size), head, bornMs, birthMs, modifiedMs };
  } catch {
    await handle.close().catch(() => {});
    return undefined;
  }
}

/** Why a path that exists is not followed, for the log; undefined when nothing stands in the way. */
export async function whyNotFollowed(path: string, roots: LinkRoots): Promise<string | undefined> {
  const named = await stat(path).catch(() => undefined);
  if (!named) return undefined;
  if (!named.isFile()) return 'not a regular file (a FIFO, socket, device or directory): not followed';
  if (roots && !(await isInside(await realpath(path).catch(() => path), roots)))
    return 'a symbolic link to a file outside the watched directories: not followed (--follow-links-outside allows it)';
  return undefined;
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
  roots: LinkRoots,
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
    const opened = await openFile(path, bytes, roots);
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
