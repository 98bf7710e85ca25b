import { randomBytes } from 'node:crypto';
import { open, readdir, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';

// Temp files are named apart from any config name (and kept short: a long config name plus a suffix
// could pass the 255-byte limit), hidden, and without a config extension, so an app that loads
// `*.conf` or `*.yaml` from the directory never picks one up.
const tempPrefix = '.config-syncer-';
const tempSuffix = '.tmp';

export function isTempName(name: string): boolean {
  return name.startsWith(tempPrefix) && name.endsWith(tempSuffix);
}

/**
 * Writes `content` to `dir/name` so that a reader sees the old file or the new one, never a part:
 * write a temp file beside it, set the mode, fsync, then rename over the old one.
 */
export async function writeFileAtomic(
  dir: string,
  name: string,
  content: Buffer,
  mode: number,
): Promise<void> {
  // Beside the file (in its subdirectory, with --recursive): a rename within one directory.
  const temp = join(dirname(join(dir, name)), `${tempPrefix}${randomBytes(6).toString('hex')}${tempSuffix}`);
  const handle = await open(temp, 'wx', mode);
  try {
    try {
      await handle.writeFile(content);
      // The umask may have narrowed the mode given to open().
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, join(dir, name));
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
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
