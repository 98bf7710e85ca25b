import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** One file in the positions file: where it is, what it is, and how far every sink has it. */
export interface PositionsEntry {
  /** The name records carry (the name the app writes to). */
  path: string;
  /** Where the file was last seen (after a rename, its new name). */
  file: string;
  dev: string;
  ino: string;
  /** Digest of the first `fingerprintBytes` bytes. */
  fingerprint: string;
  fingerprintBytes: number;
  /** Offset after the last line every sink acknowledged. */
  offset: number;
  /**
   * When these contents began (Unix ms): the file's birth, or the truncation that began them. Absent
   * in positions files of older versions.
   */
  bornMs?: number;
  /**
   * Read to its end, let go and acknowledged: kept a while so that a restart knows it was read and
   * does not take it for a rotated file it never followed.
   */
  done?: boolean;
}

export interface SavedPositions {
  savedAtMs: number;
  entries: PositionsEntry[];
}

const formatVersion = 1;

function isEntry(value: unknown): value is PositionsEntry {
  const entry = value as PositionsEntry;
  return (
    typeof entry === 'object' &&
    entry !== null &&
    typeof entry.path === 'string' &&
    typeof entry.file === 'string' &&
    typeof entry.dev === 'string' &&
    typeof entry.ino === 'string' &&
    typeof entry.fingerprint === 'string' &&
    Number.isSafeInteger(entry.fingerprintBytes) &&
    Number.isSafeInteger(entry.offset) &&
    entry.offset >= 0 &&
    (entry.done === undefined || typeof entry.done === 'boolean') &&
    (entry.bornMs === undefined || Number.isFinite(entry.bornMs))
  );
}

/** The positions file's error: the message names the file and what is wrong. */
export class PositionsFileError extends Error {
  readonly code = 'BAD_POSITIONS_FILE';
}

/** Reads the positions file; undefined when there is none yet (the first start). */
export async function loadPositions(path: string): Promise<SavedPositions | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PositionsFileError(`cannot read positions file ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let data: { version?: unknown; savedAt?: unknown; files?: unknown };
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new PositionsFileError(`positions file ${path} is not JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (data?.version !== formatVersion || !Array.isArray(data.files) || !data.files.every(isEntry)) {
    throw new PositionsFileError(`positions file ${path} is not a version ${formatVersion} positions file`);
  }
  const savedAtMs = typeof data.savedAt === 'string' ? Date.parse(data.savedAt) : Number.NaN;
  return { savedAtMs: Number.isNaN(savedAtMs) ? 0 : savedAtMs, entries: data.files };
}

/**
 * Writes the positions file atomically: a temporary file in the same directory, then renamed over the
 * old one, so a crash at any moment leaves either the old or the new file whole. A process crash
 * (SIGKILL, OOM) loses nothing the kernel has; `sync` also flushes the data to the disk before the
 * rename, for a machine that loses power, at the cost of a disk flush (milliseconds).
 */
export async function savePositions(
  path: string,
  entries: readonly PositionsEntry[],
  sync: boolean,
): Promise<void> {
  const text = `${JSON.stringify({ version: formatVersion, savedAt: new Date().toISOString(), files: entries })}\n`;
  const temporary = `${path}.tmp`;
  await writeFile(temporary, text, { mode: 0o644, flush: sync });
  await rename(temporary, path);
}

/** Creates the positions file's directory and checks it can be written, so a bad volume fails at start. */
export async function preparePositionsDir(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
}
