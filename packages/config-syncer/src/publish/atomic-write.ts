import { randomBytes } from 'node:crypto';
import { renameSync } from 'node:fs';
import { type FileHandle, open, readdir, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { concurrentWrites, forEachConcurrently } from './concurrently.ts';
import type { FileOwner } from './file-owner.ts';

// Temp files are named apart from any config name (and kept short: a long config name plus a suffix
// could pass the 255-byte limit), hidden, and without a config extension, so an app that loads
// `*.conf` or `*.yaml` from the directory never picks one up.
const tempPrefix = '.config-syncer-';
const tempSuffix = '.tmp';

export function isTempName(name: string): boolean {
  return name.startsWith(tempPrefix) && name.endsWith(tempSuffix);
}

/** A fresh temp file path in `dir`. */
export function tempPathIn(dir: string): string {
  return join(dir, `${tempPrefix}${randomBytes(6).toString('hex')}${tempSuffix}`);
}

/**
 * Writes `content` to `dir/name` so that a reader sees the old file or the new one, never a part:
 * write a temp file beside it, set the owner and mode, fsync, then rename over the old one (so the app
 * never sees the file with another owner or mode).
 */
export async function writeFileAtomic(
  dir: string,
  name: string,
  content: Buffer,
  mode: number,
  owner?: FileOwner,
): Promise<void> {
  // Beside the file (in its subdirectory, with --recursive): a rename within one directory.
  const temp = tempPathIn(dirname(join(dir, name)));
  const handle = await open(temp, 'wx', mode);
  try {
    try {
      await writeContent(handle, content, mode, owner);
    } finally {
      await handle.close();
    }
    await rename(temp, join(dir, name));
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}

/**
 * Writes several files as `writeFileAtomic` does each, faster: every temp file is written and fsynced
 * first (several at a time), then all are renamed into place back to back, in the order given. So each
 * file is still whole, and the time in which an app could read a new file beside an old one shrinks to
 * that of the renames. On a failure no file is renamed if it happened while writing; the temp files
 * left are removed.
 */
export async function writeFilesAtomic(
  dir: string,
  files: readonly { name: string; content: Buffer }[],
  mode: number,
  owner: FileOwner | undefined,
): Promise<void> {
  const staged = new Map<string, string>();
  try {
    await forEachConcurrently(files, concurrentWrites, async ({ name, content }) => {
      const temp = tempPathIn(dirname(join(dir, name)));
      staged.set(name, temp);
      const handle = await open(temp, 'wx', mode);
      try {
        await writeContent(handle, content, mode, owner);
      } finally {
        await handle.close();
      }
    });
    // Synchronous: a few microseconds each, with nothing else interleaved between them.
    for (const { name } of files) {
      renameSync(staged.get(name)!, join(dir, name));
      staged.delete(name);
    }
  } catch (error) {
    await Promise.all([...staged.values()].map((temp) => unlink(temp).catch(() => {})));
    throw error;
  }
}

/** Writes, gives the owner and mode, and fsyncs an open new file. */
export async function writeContent(
  handle: FileHandle,
  content: Buffer,
  mode: number,
  owner: FileOwner | undefined,
): Promise<void> {
  await handle.writeFile(content);
  // chown before chmod: chown clears set-id bits. chmod because the umask may have narrowed open()'s mode.
  if (owner) await handle.chown(owner.uid, owner.gid);
  await handle.chmod(mode);
  await handle.sync();
}

/** Makes renames and unlinks in `dir` durable: without it a power cut can bring back the old names. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Removes temp files a killed run left behind (SIGKILL, power cut); returns their names. */
export async function removeStaleTempFiles(dir: string): Promise<string[]> {
  const stale = (await readdir(dir)).filter(isTempName);
  await Promise.all(stale.map((name) => unlink(join(dir, name)).catch(() => {})));
  return stale;
}
