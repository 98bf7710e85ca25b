import {
  closeSync,
  type Dirent,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  statSync,
} from 'node:fs';
import { join, resolve, sep } from 'node:path';
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
export interface ReadOptions {
  accept: NameFilter;
  /** Set with `--recursive`: subdirectories passing it are read too, their files named `sub/name`. */
  acceptDirectory: NameFilter | undefined;
  maxFileBytes: number;
  /** Filled with the symlinks skipped because they lead out of the source: name → where they lead. */
  linksLeaving?: Map<string, string>;
}

export function readDirectoryFiles(dir: string, options: ReadOptions): FileSet {
  for (let attempt = 1; ; attempt++) {
    // Symlinks are followed only within the source directory: `ln -s /etc/passwd src/x` is not config
    // (the kubelet's `key → ..data/key` and `..data → ..<version>` links stay inside it).
    const root = realpathSync(dir);
    const dataDir = resolveDataDir(dir, root);
    const read = { ...options, root };
    options.linksLeaving?.clear();
    try {
      return dataDir ? readFlatFiles(dataDir, read, 'strict') : readFlatFiles(dir, read, 'lenient');
    } catch (error) {
      const vanished = (error as NodeJS.ErrnoException).code === 'ENOENT';
      if (!dataDir || !vanished || attempt >= attempts) throw error;
    }
  }
}

/** The directory of the current ConfigMap version, or undefined for a plain directory (or a `..data` leaving it). */
function resolveDataDir(dir: string, root: string): string | undefined {
  try {
    const dataDir = resolve(dir, readlinkSync(join(dir, '..data')));
    return isInside(realpathSync(dataDir), root) ? dataDir : undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // EINVAL: `..data` is there but not a symlink (a copy of a volume): read it as it is.
    if (code === 'EINVAL') return join(dir, '..data');
    if (code === 'ENOENT') return undefined;
    throw error;
  }
}

interface ReadRules {
  accept: NameFilter;
  acceptDirectory: NameFilter | undefined;
  /** The real path of the source directory: a symlink resolving outside it is skipped. */
  root: string;
  maxFileBytes: number;
  linksLeaving?: Map<string, string>;
}

/**
 * Reads the regular files (or symlinks to them within the source directory) at the top of `dir`;
 * anything else (a FIFO, a device, a link leaving the directory) is skipped, never opened. A file over
 * `maxFileBytes` fails the read (the last good config stays), as a URL source's body does.
 * `lenient`: a file that vanishes between the listing and the read is skipped (its removal is an event
 * of its own); `strict` throws.
 */
function readFlatFiles(
  dir: string,
  rules: ReadRules,
  mode: 'strict' | 'lenient',
  prefix = '',
  files: FileSet = new Map(),
): FileSet {
  const entries = readdirSync(dir, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const name = prefix + entry.name;
    try {
      // Real directories only: a symlinked one could lead in a loop, or out of the source.
      if (entry.isDirectory()) {
        if (rules.acceptDirectory?.(entry.name)) {
          readFlatFiles(join(dir, entry.name), rules, mode, `${name}/`, files);
        }
        continue;
      }
      if (!rules.accept(entry.name)) continue;
      const path = regularFilePath(entry, join(dir, entry.name), rules.root);
      if (typeof path === 'string') files.set(name, readCapped(path, name, rules.maxFileBytes));
      else if (path) rules.linksLeaving?.set(name, path.leadsTo);
    } catch (error) {
      if (mode === 'strict' || (error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return files;
}

/**
 * The path to read for an entry that is a regular file, or a link to one inside `root`; where a link
 * leading out of `root` goes; else undefined.
 */
function regularFilePath(
  entry: Dirent,
  path: string,
  root: string,
): string | { leadsTo: string } | undefined {
  if (entry.isFile()) return path;
  if (!entry.isSymbolicLink()) return undefined;
  const real = realpathSync(path);
  if (!isInside(real, root)) return { leadsTo: real };
  return statSync(real).isFile() ? real : undefined;
}

function readCapped(path: string, name: string, maxBytes: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const { size } = fstatSync(fd);
    if (size > maxBytes) {
      throw new Error(`${name} is ${size} bytes, over --max-file-bytes ${maxBytes}`);
    }
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root === sep ? root : root + sep);
}
