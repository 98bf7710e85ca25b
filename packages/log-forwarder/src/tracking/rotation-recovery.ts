import { basename, dirname } from 'node:path';
import { findMissedRotations, openFile } from '../disk/file-checks.ts';
import { fingerprintOf, tellsContentsApart } from '../disk/file-identity.ts';
import type { PositionsEntry } from '../positions/positions-file.ts';
import type { TrackedFile } from '../reading/tracked-file.ts';
import type { Tracking } from './tracking.ts';

/**
 * Rotated files of `file`'s log that were never followed (a burst of rotations on a starved CPU, or
 * several while the forwarder was stopped): born after `file` and before the file now under `path`,
 * they are read from their start (see findMissedRotations).
 */
export async function recoverMissedRotations(
  tracker: Tracking,
  file: TrackedFile,
  path: string,
): Promise<void> {
  if (file.birthMs === 0) return;
  const next = tracker.liveAt(path)?.file.birthMs || Number.POSITIVE_INFINITY;
  await readMissedRotations(tracker, file.logicalPath, path, file.birthMs, next);
}

/**
 * Rotated files of a log that appeared after we began watching, when its first file we follow is
 * not its first file (created, then rotated before we looked: a starved CPU, a watcher event late):
 * those born after `sinceMs` and up to `file` are read from their start. Up to, not before: birth
 * times are coarse (a clock tick), files created in a burst share one; `file` itself is followed.
 */
export async function recoverRotationsBefore(
  tracker: Tracking,
  file: TrackedFile,
  sinceMs: number,
): Promise<void> {
  if (file.birthMs === 0) return;
  await readMissedRotations(tracker, file.logicalPath, file.physicalPath, sinceMs, file.birthMs + 1);
}

/** Starts reading, as rotated, the files of `logicalPath`'s log born between two times and not known. */
async function readMissedRotations(
  tracker: Tracking,
  logicalPath: string,
  path: string,
  bornAfterMs: number,
  bornBeforeMs: number,
): Promise<void> {
  if (tracker.closed) return;
  const { filter, fingerprintBytes, log } = tracker.options;
  const accept = (candidate: string, key: Parameters<Tracking['isKnown']>[0]) =>
    candidate !== path && !filter.excludes(candidate) && !tracker.isKnown(key);
  for (const candidate of await findMissedRotations(
    dirname(path),
    basename(logicalPath),
    bornAfterMs,
    bornBeforeMs,
    accept,
  )) {
    const opened = await openFile(candidate, fingerprintBytes, tracker.options.linkRoots);
    if (!opened || tracker.isTracked(opened.key)) {
      await opened?.handle.close();
      continue;
    }
    log.warn({ path: logicalPath, file: candidate }, 'reading a rotated file that was never followed');
    tracker.options.rotated('rename');
    tracker.start(opened, logicalPath, candidate, 0, 'rotated');
  }
}

/** Whether `length` first bytes of `head` are enough to tell contents apart (see tellsContentsApart). */
function tellsApart(head: Buffer, length: number, fingerprintBytes: number): boolean {
  return tellsContentsApart(head.subarray(0, length), fingerprintBytes);
}

/** Whether a file (its `head`) starts with the known first bytes of other contents: a copy of those. */
export function startsLike(head: Buffer, known: Buffer, fingerprintBytes: number): boolean {
  const length = Math.min(head.length, known.length);
  return (
    tellsApart(known, length, fingerprintBytes) && head.subarray(0, length).equals(known.subarray(0, length))
  );
}

/** Whether a file starts with the first bytes an entry was written for: a copy of those contents. */
export function startsLikeEntry(head: Buffer, entry: PositionsEntry, fingerprintBytes: number): boolean {
  const bytes = entry.fingerprintBytes;
  return (
    head.length >= bytes &&
    tellsApart(head, bytes, fingerprintBytes) &&
    fingerprintOf(head.subarray(0, bytes)) === entry.fingerprint
  );
}

/**
 * After a restart, the rotated files of a log that the last run never read: born after the oldest
 * contents of the log that the positions file names began (`sinceMs`: a file's birth, or the
 * truncation that began them, after which no older contents were copied), not named by it, not
 * followed now, and not a copy of contents it names or this run follows (those were located with
 * their offsets, or are carried on by their copy). The last run may have
 * been killed before it reached them (its search for missed rotations still to come), or they were
 * rotated while it was down; each is read from its start. The positions file names the files read
 * to their end too (done), so this is not one of them.
 */
export async function recoverUnreadSinceRestart(
  tracker: Tracking,
  logicalPath: string,
  sinceMs: number,
): Promise<void> {
  if (tracker.closed) return;
  const { filter, fingerprintBytes, log } = tracker.options;
  const accept = (candidate: string, key: Parameters<Tracking['isKnown']>[0]) =>
    candidate !== logicalPath && !filter.excludes(candidate) && !tracker.isKnown(key);
  for (const candidate of await findMissedRotations(
    dirname(logicalPath),
    basename(logicalPath),
    sinceMs,
    Number.POSITIVE_INFINITY,
    accept,
  )) {
    const opened = await openFile(candidate, fingerprintBytes, tracker.options.linkRoots);
    if (!opened || tracker.isKnown(opened.key) || tracker.startsLikeKnownContents(opened.head)) {
      await opened?.handle.close();
      continue;
    }
    log.warn({ path: logicalPath, file: candidate }, 'reading a rotated file the last run had not read');
    tracker.options.rotated('rename');
    tracker.start(opened, logicalPath, candidate, 0, 'rotated');
  }
}
