import { type Dirent, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { NameFilter } from '../filter.ts';
import type { FileSet } from '../snapshot.ts';

const attempts = 5;

/**
 * Reads the config files of a directory. In a ConfigMap or Secret volume the files are read from the
 * directory `..data` points at, resolved once, so a swap in the middle of a read cannot mix two
 * versions; if the kubelet deletes that directory under us, the read starts over.
 *
 * Reads are synchronous on purpose: config files are small, and a thousand of them read this way take
 * about 10 ms, against 250 ms of thread-pool round trips (open, fstat, read, close) with fs/promises.
 * That is also the whole time the event loop is held.
 */
export function readDirectoryFiles(dir: string, accept: NameFilter): FileSet {
  for (let attempt = 1; ; attempt++) {
    const dataDir = resolveDataDir(dir);
    try {
      return dataDir ? readFlatFiles(dataDir, accept, 'strict') : readFlatFiles(dir, accept, 'lenient');
    } catch (error) {
      const vanished = (error as NodeJS.ErrnoException).code === 'ENOENT';
      if (!dataDir || !vanished || attempt >= attempts) throw error;
    }
  }
}

/** The directory of the current ConfigMap version, or undefined for a plain directory. */
function resolveDataDir(dir: string): string | undefined {
  try {
    return resolve(dir, readlinkSync(join(dir, '..data')));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // EINVAL: `..data` is there but not a symlink (a copy of a volume): read it as it is.
    if (code === 'EINVAL') return join(dir, '..data');
    if (code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Reads the regular files (or symlinks to them) at the top of `dir`; anything else (a FIFO, a device)
 * is skipped, never opened. `lenient`: a file that vanishes between the listing and the read is
 * skipped (its removal is an event of its own); `strict` throws.
 */
function readFlatFiles(dir: string, accept: NameFilter, mode: 'strict' | 'lenient'): FileSet {
  const files: FileSet = new Map();
  const entries = readdirSync(dir, { withFileTypes: true }).filter((entry) => accept(entry.name));
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    try {
      if (isRegularFile(entry, path)) files.set(entry.name, readFileSync(path));
    } catch (error) {
      if (mode === 'strict' || (error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return files;
}

function isRegularFile(entry: Dirent, path: string): boolean {
  if (entry.isFile()) return true;
  return entry.isSymbolicLink() && statSync(path).isFile();
}
