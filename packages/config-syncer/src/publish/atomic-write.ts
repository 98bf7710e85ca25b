import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fchownSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { readdir, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Durability } from './durability.ts';
import type { FileOwner } from './file-owner.ts';

// Temp files are named apart from any config name (and kept short: a long config name plus a suffix
// could pass the 255-byte limit), hidden, and without a config extension, so an app that loads
// `*.conf` or `*.yaml` from the directory never picks one up.
const tempPrefix = '.config-syncer-';
const tempSuffix = '.tmp';

/**
 * Files open at once while publishing: all of a ConfigMap, so their fsyncs share journal commits;
 * bounded so a set of thousands of files does not open thousands of descriptors.
 */
export const filesInFlight = 64;

export function isTempName(name: string): boolean {
  return name.startsWith(tempPrefix) && name.endsWith(tempSuffix);
}

/** A fresh temp file path in `dir`. */
export function tempPathIn(dir: string): string {
  return join(dir, `${tempPrefix}${randomBytes(6).toString('hex')}${tempSuffix}`);
}

/**
 * Creates each file (none may exist), writes it, gives it the owner and its mode, and fsyncs it (as
 * `durability` says) before returning. Writes are synchronous: a config's files are small, and a write
 * into the page cache costs microseconds where a thread-pool round trip costs more. Then the fsyncs of
 * up to `filesInFlight` files go out together.
 */
export async function createFiles(
  files: readonly { path: string; content: Buffer; mode: number }[],
  owner: FileOwner | undefined,
  durability: Durability,
): Promise<void> {
  for (let start = 0; start < files.length; start += filesInFlight) {
    const fds: number[] = [];
    try {
      for (const { path, content, mode } of files.slice(start, start + filesInFlight)) {
        fds.push(openSync(path, 'wx', mode));
        const fd = fds.at(-1)!;
        writeFileSync(fd, content);
        // chown before chmod: chown clears set-id bits. chmod because the umask may have narrowed open()'s mode.
        if (owner) fchownSync(fd, owner.uid, owner.gid);
        fchmodSync(fd, mode);
      }
      await durability.syncFiles(fds);
    } finally {
      for (const fd of fds) closeSync(fd);
    }
  }
}

/**
 * Writes `content` to `dir/name` so that a reader sees the old file or the new one, never a part:
 * write a temp file beside it, set the owner and mode, fsync, then rename over the old one (so the app
 * never sees the file with another owner or mode).
 */
export function writeFileAtomic(
  dir: string,
  name: string,
  content: Buffer,
  mode: number,
  owner: FileOwner | undefined,
  durability: Durability,
): Promise<void> {
  return writeFilesAtomic(dir, [{ name, content }], mode, owner, durability);
}

/**
 * Writes several files as `writeFileAtomic` does each, faster: every temp file is written and fsynced
 * first, then all are renamed into place back to back, in the order given. So each file is still
 * whole, and the time in which an app could read a new file beside an old one shrinks to that of the
 * renames. On a failure while writing no file is renamed; the temp files left are removed.
 */
export async function writeFilesAtomic(
  dir: string,
  files: readonly { name: string; content: Buffer }[],
  mode: number,
  owner: FileOwner | undefined,
  durability: Durability,
): Promise<void> {
  // Beside each file (in its subdirectory, with --recursive): a rename within one directory.
  const staged = files.map(({ name, content }) => ({
    name,
    content,
    mode,
    path: tempPathIn(dirname(join(dir, name))),
  }));
  let renamed = 0;
  try {
    await createFiles(staged, owner, durability);
    // Synchronous: a few microseconds each, with nothing else interleaved between them.
    for (const { name, path } of staged) {
      renameSync(path, join(dir, name));
      renamed += 1;
    }
  } catch (error) {
    const left = staged.slice(renamed);
    await Promise.all(left.map(({ path }) => unlink(path).catch(() => {})));
    throw error;
  }
}

/** Removes temp files a killed run left behind (SIGKILL, power cut); returns their names. */
export async function removeStaleTempFiles(dir: string): Promise<string[]> {
  const stale = (await readdir(dir)).filter(isTempName);
  await Promise.all(stale.map((name) => unlink(join(dir, name)).catch(() => {})));
  return stale;
}
