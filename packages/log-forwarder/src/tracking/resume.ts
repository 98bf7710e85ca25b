import { dirname } from 'node:path';
import { findByFingerprint, type LinkRoots, type OpenedFile, openFile } from '../disk/file-checks.ts';
import { type FileKey, fingerprintOf, keyText, sameKey } from '../disk/file-identity.ts';
import type { PositionsEntry } from '../positions/positions-file.ts';
import type { TailerMode } from '../reading/tailer-environment.ts';
import type { Tracking } from './tracking.ts';

/** Where a file of the positions file is now, opened. */
export interface LocatedFile {
  path: string;
  opened: OpenedFile;
}

function matchesEntry(opened: OpenedFile, entry: PositionsEntry): boolean {
  const head = opened.head;
  return (
    head.length >= entry.fingerprintBytes &&
    fingerprintOf(head.subarray(0, entry.fingerprintBytes)) === entry.fingerprint
  );
}

/**
 * Finds the file a positions entry was written for, after a restart: under its last name with the same
 * device, inode and first bytes; else, renamed or copied while the forwarder was down, in the same
 * directories by its first bytes (the same inode preferred). A name now holding another file (a
 * reused inode, a new file after rotation) is not mistaken for it.
 */
export async function locateEntry(
  entry: PositionsEntry,
  headBytes: number,
  isTracked: (key: FileKey) => boolean,
  roots: LinkRoots,
): Promise<LocatedFile | undefined> {
  const key = { dev: entry.dev, ino: entry.ino };
  const bytes = Math.max(headBytes, entry.fingerprintBytes);
  for (const path of new Set([entry.file, entry.path])) {
    const opened = await openFile(path, bytes, roots);
    if (!opened) continue;
    if (sameKey(opened.key, key) && matchesEntry(opened, entry)) return { path, opened };
    await opened.handle.close().catch(() => {});
  }
  for (const dir of new Set([dirname(entry.file), dirname(entry.path)])) {
    const found = await findByFingerprint(
      dir,
      entry.fingerprint,
      entry.fingerprintBytes,
      // Nothing was read from it (an empty file): no first bytes to know it by, only its inode.
      (candidate) =>
        !isTracked(candidate.key) &&
        candidate.size >= entry.offset &&
        (entry.fingerprintBytes > 0 || sameKey(candidate.key, key)),
      roots,
      key,
    );
    if (!found) continue;
    const opened = await openFile(found.path, bytes, roots);
    if (opened && matchesEntry(opened, entry)) return { path: found.path, opened };
    await opened?.handle.close().catch(() => {});
  }
  return undefined;
}

/**
 * Whether an entry of contents read to their end, with too few first bytes to tell contents apart
 * (none: a file let go empty), was located on an inode another entry follows, not done: that inode
 * holds those later contents (followed again after a rename back, reused after a delete, truncated
 * and written again), which that entry places; taken for the first, they would be read again from
 * its offset.
 */
function isStale(
  entry: PositionsEntry,
  located: LocatedFile,
  followedKeys: ReadonlySet<string>,
  fingerprintBytes: number,
): boolean {
  return (
    entry.done === true &&
    entry.fingerprintBytes < fingerprintBytes &&
    followedKeys.has(keyText(located.opened.key))
  );
}

/**
 * Reopens the files of the positions file where they are now, at their acknowledged offsets: under
 * a followed name it is followed, renamed away it is read to its end, a copy is read to its end, and
 * one read to its end before (done) is only remembered, unless it has grown since. Every entry is
 * placed before any search for unread rotated files (a file of the positions file would otherwise be
 * taken for one and read again from its start). Returns, per log, the birth time of its oldest file
 * when its oldest contents named began: rotated files born since that no entry names were never
 * read (see recoverUnreadSinceRestart).
 */
export async function resumeEntries(
  tracker: Tracking,
  entries: readonly PositionsEntry[],
): Promise<Map<string, number>> {
  const { log, fingerprintBytes, filter, linkRoots } = tracker.options;
  const since = new Map<string, number>();
  const followedKeys = new Set(entries.filter((entry) => !entry.done).map((entry) => keyText(entry)));
  for (const entry of entries) {
    const located = await locateEntry(entry, fingerprintBytes, (key) => tracker.isKnown(key), linkRoots);
    if (
      !located ||
      tracker.isKnown(located.opened.key) ||
      isStale(entry, located, followedKeys, fingerprintBytes)
    ) {
      await located?.opened.handle.close();
      log.info({ path: entry.path, file: entry.file }, 'file of the positions file is gone');
      continue;
    }
    const { opened, path } = located;
    // Positions files of older versions do not say when contents began: no search for their logs.
    if (entry.bornMs !== undefined)
      since.set(entry.path, Math.min(since.get(entry.path) ?? Number.POSITIVE_INFINITY, entry.bornMs));
    if (entry.done && opened.size <= entry.offset) {
      await opened.handle.close();
      tracker.retire(opened, entry, path);
      continue;
    }
    const exact = sameKey(opened.key, { dev: entry.dev, ino: entry.ino });
    const mode: TailerMode = !exact ? 'copy' : filter.matches(path) ? 'live' : 'rotated';
    // Smaller than the offset: truncated while we were down, what is there now is new.
    const offset = entry.offset <= opened.size ? entry.offset : 0;
    const file = tracker.start(opened, entry.path, path, offset, mode);
    if (entry.bornMs !== undefined) file.contentsBornMs = entry.bornMs;
    if (path !== entry.file)
      log.info({ path: entry.path, was: entry.file, now: path, mode }, 'file moved while stopped');
  }
  return since;
}
