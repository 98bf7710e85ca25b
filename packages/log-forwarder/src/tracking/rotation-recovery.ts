import { basename, dirname } from 'node:path';
import { type FoundFile, findByFingerprint, findMissedRotations, openFile } from '../disk/file-checks.ts';
import { fingerprintOf, tellsContentsApart } from '../disk/file-identity.ts';
import type { PositionsEntry } from '../positions/positions-file.ts';
import { Tailer } from '../reading/tailer.ts';
import type { FileReader } from '../reading/tailer-environment.ts';
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

/**
 * After a truncation: the rest of the old contents is read from logrotate's copy, found by its first
 * bytes (a copy is made after we began reading what it copies; a second of slack for coarse clocks).
 * With no copy, what the old contents held is flushed. Then copies of truncations never seen.
 */
export async function carryOnAfterTruncation(
  tracker: Tracking,
  reader: FileReader,
  old: TrackedFile,
  successor: TrackedFile,
): Promise<void> {
  if (tracker.closed) return;
  const { fingerprintBytes, log } = tracker.options;
  const copy = await findCopyOf(tracker, old);
  const opened = copy ? await openFile(copy.path, fingerprintBytes, tracker.options.linkRoots) : undefined;
  if (!copy || !opened) {
    const message =
      'file truncated; it was read to its end, or no copy of it is left: reading it again from its start';
    log.info({ path: old.logicalPath, offset: old.readOffset, headBytes: old.head.length }, message);
    reader.flushOld(old);
  } else {
    log.info(
      { path: old.logicalPath, copy: copy.path, offset: old.readOffset },
      'file truncated; reading the rest from its copy',
    );
    old.key = opened.key;
    old.physicalPath = copy.path;
    tracker.run(new Tailer(opened.handle, old, 'copy', tracker.environment));
  }
  await recoverMissedCopies(tracker, old, successor, opened?.birthMs || old.startedMs - birthClockSlackMs);
}

/**
 * A file system's clock for birth times advances by ticks (a few ms), behind the clock a process
 * reads: a copy made just after a moment can look born just before it.
 */
const birthClockSlackMs = 20;

/**
 * logrotate's copy of contents truncated, found by their first bytes (a copy is made after we began
 * reading what it copies; a second of slack for coarse clocks). First bytes too few to tell contents
 * apart (part of a first line) also start the copies of later truncations: the copy is then the
 * oldest of those born since the contents began. With nothing read, there is no head to know the copy
 * by (the missed copies are read whole).
 */
async function findCopyOf(tracker: Tracking, old: TrackedFile): Promise<FoundFile | undefined> {
  if (old.head.length === 0) return undefined;
  const { fingerprintBytes, linkRoots } = tracker.options;
  const settled = tellsContentsApart(old.head, fingerprintBytes);
  const matches: FoundFile[] = [];
  await findByFingerprint(
    dirname(old.physicalPath),
    fingerprintOf(old.head),
    old.head.length,
    (found) => {
      const accepted = settled
        ? !tracker.isTracked(found.key) &&
          found.size >= old.readOffset &&
          (found.birthMs === 0 || found.birthMs > old.startedMs - 1000)
        : !tracker.isKnown(found.key) &&
          found.size >= old.readOffset &&
          found.birthMs > old.startedMs - birthClockSlackMs;
      if (accepted) matches.push(found);
      return accepted;
    },
    linkRoots,
  );
  return settled ? matches[0] : matches.sort((a, b) => a.birthMs - b.birthMs)[0];
}

/**
 * Whether the file a tailer reads was truncated and written again since its contents began, seen
 * when its first bytes grow to `head` from too few to tell contents apart: a copy born since, not
 * known, that starts like no contents followed or followed before (the contents now in the file
 * included) holds contents never seen. The truncation is then carried on as any other.
 */
export async function rewrittenSince(tracker: Tracking, file: TrackedFile, head: Buffer): Promise<boolean> {
  if (tracker.closed) return false;
  const { filter, fingerprintBytes, linkRoots } = tracker.options;
  const accept = (candidate: string, key: Parameters<Tracking['isKnown']>[0]) =>
    candidate !== file.physicalPath && !filter.excludes(candidate) && !tracker.isKnown(key);
  for (const candidate of await findMissedRotations(
    dirname(file.physicalPath),
    basename(file.logicalPath),
    file.startedMs - birthClockSlackMs,
    Number.POSITIVE_INFINITY,
    accept,
  )) {
    const opened = await openFile(candidate, fingerprintBytes, linkRoots);
    if (!opened) continue;
    await opened.handle.close();
    const seen =
      startsLike(opened.head, head, fingerprintBytes) || tracker.startsLikeKnownContents(opened.head);
    if (!seen && !tracker.isKnown(opened.key)) return true;
  }
  return false;
}

/**
 * Truncated twice before we looked (a starved CPU): the contents between are only in their copies,
 * born after the copy of the old contents (or, with none, after we began reading them) and before we
 * saw the truncation, and starting like neither the old contents nor the new. Each is read whole.
 */
async function recoverMissedCopies(
  tracker: Tracking,
  old: TrackedFile,
  successor: TrackedFile,
  bornAfterMs: number,
): Promise<void> {
  const { filter, fingerprintBytes, log } = tracker.options;
  const accept = (candidate: string, key: Parameters<Tracking['isKnown']>[0]) =>
    candidate !== successor.physicalPath &&
    candidate !== old.physicalPath &&
    !filter.excludes(candidate) &&
    !tracker.isKnown(key);
  const dir = dirname(successor.physicalPath);
  for (const candidate of await findMissedRotations(
    dir,
    basename(old.logicalPath),
    bornAfterMs,
    successor.startedMs,
    accept,
  )) {
    const opened = await openFile(candidate, fingerprintBytes, tracker.options.linkRoots);
    // First bytes too few to tell contents apart (part of a line) start other contents too.
    const seen =
      opened &&
      (startsLike(opened.head, old.head, fingerprintBytes) ||
        startsLike(opened.head, successor.head, fingerprintBytes));
    if (!opened || seen || tracker.isTracked(opened.key)) {
      await opened?.handle.close();
      continue;
    }
    log.warn({ path: old.logicalPath, file: candidate }, 'reading a copy of a truncation never seen');
    tracker.options.rotated('truncate');
    tracker.start(opened, old.logicalPath, candidate, 0, 'copy');
  }
}
