import { basename, dirname } from 'node:path';
import { findByFingerprint, findMissedRotations, type OpenedFile, openFile } from '../disk/file-checks.ts';
import { fingerprintOf, tellsContentsApart } from '../disk/file-identity.ts';
import { Tailer } from '../reading/tailer.ts';
import type { FileReader } from '../reading/tailer-environment.ts';
import type { TrackedFile } from '../reading/tracked-file.ts';
import { startsLike } from './rotation-recovery.ts';
import type { Tracking } from './tracking.ts';

/*
 * logrotate's copytruncate copies the log, then truncates it: the copy of each contents is born after
 * they began (the truncation before) and before the next contents begin. So, oldest first, the copies
 * born since the newest copy accounted for are: the copy of the contents read now, then one per
 * truncation missed (a starved or stopped forwarder). Each truncation carried on accounts for the
 * copies born since (followed, or read past) and moves that mark to the newest: a copy of contents
 * before is never taken for one of later contents, whatever the first bytes, the clocks or the delays.
 */

interface Copy {
  path: string;
  opened: OpenedFile;
}

/**
 * Files of a log other than the log (`app.log.1`, `app.log-2026...`) born from `fromMs` (included:
 * birth times are clock ticks, copies made in a burst share one) to `beforeMs`, not known and not
 * empty, opened; oldest first.
 */
async function copiesBorn(
  tracker: Tracking,
  logicalPath: string,
  fromMs: number,
  beforeMs: number,
): Promise<Copy[]> {
  const { filter, fingerprintBytes, linkRoots } = tracker.options;
  const accept = (candidate: string, key: Parameters<Tracking['isKnown']>[0]) =>
    candidate !== logicalPath && !filter.excludes(candidate) && !tracker.isKnown(key);
  const copies: Copy[] = [];
  const paths = await findMissedRotations(
    dirname(logicalPath),
    basename(logicalPath),
    fromMs - 1,
    beforeMs,
    accept,
  );
  for (const path of paths) {
    const opened = await openFile(path, fingerprintBytes, linkRoots);
    if (!opened) continue;
    if (tracker.isKnown(opened.key)) await opened.handle.close().catch(() => {});
    // A copy of contents still empty (logrotate ran before the app wrote): nothing to read or tell.
    else if (opened.size === 0) tracker.account(opened);
    else copies.push({ path, opened });
  }
  return copies;
}

/** On a file system that keeps no birth times: the copy of settled contents, by their first bytes only. */
async function copyWithoutBirth(tracker: Tracking, old: TrackedFile): Promise<Copy | undefined> {
  const { fingerprintBytes, linkRoots } = tracker.options;
  const found = await findByFingerprint(
    dirname(old.logicalPath),
    fingerprintOf(old.head),
    old.head.length,
    (candidate) =>
      candidate.birthMs === 0 && candidate.path !== old.logicalPath && !tracker.isKnown(candidate.key),
    linkRoots,
  );
  const opened = found && (await openFile(found.path, fingerprintBytes, linkRoots));
  return opened ? { path: found.path, opened } : undefined;
}

/** Whether a file's first bytes can be a copy of contents whose first bytes were `known`. */
function couldBeCopyOf(head: Buffer, known: Buffer, fingerprintBytes: number): boolean {
  if (tellsContentsApart(known, fingerprintBytes)) return startsLike(head, known, fingerprintBytes);
  const length = Math.min(head.length, known.length);
  return head.subarray(0, length).equals(known.subarray(0, length));
}

/**
 * After a truncation: the rest of the old contents is read from logrotate's copy (the oldest copy
 * born since the last one accounted for that starts like them); with none, what the old contents
 * held is flushed. Then every later copy born before the new contents were seen, whole: truncations
 * never seen. Contents of which nothing was sent and whose first bytes tell nothing (none, or part
 * of a first line) cannot be told from the contents after them, and need not be: their copy is read
 * whole like the others, what they held is dropped (the copy has it).
 */
export async function carryOnAfterTruncation(
  tracker: Tracking,
  reader: FileReader,
  old: TrackedFile,
  successor: TrackedFile,
): Promise<void> {
  if (tracker.closed) return;
  const { fingerprintBytes, log } = tracker.options;
  const copies = await copiesBorn(tracker, old.logicalPath, old.copiesFromMs, successor.inFileByMs + 1);
  const used = new Set<Copy>();
  try {
    const fields = { path: old.logicalPath, offset: old.readOffset, headBytes: old.head.length };
    let own: Copy | undefined;
    if (!tellsContentsApart(old.head, fingerprintBytes) && old.sentEnd === 0) {
      old.finished = true;
      tracker.forget(old);
      log.info(fields, 'file truncated before its first line was read: its copies are read whole');
    } else {
      own = copies.find((copy) => couldBeCopyOf(copy.opened.head, old.head, fingerprintBytes));
      if (!own && tellsContentsApart(old.head, fingerprintBytes)) own = await copyWithoutBirth(tracker, old);
      if (own) used.add(own);
      if (!own) {
        const message =
          'file truncated; it was read to its end, or no copy of it is left: reading it again from its start';
        log.info(fields, message);
        reader.flushOld(old);
      } else if (own.opened.size < old.readOffset) {
        // Lines written between the copy and the truncation, read before the truncation.
        log.info({ ...fields, copy: own.path }, 'file truncated; read past the end of its copy');
        reader.flushOld(old);
        tracker.readPast(own.opened, own.path, old);
      } else {
        log.info({ ...fields, copy: own.path }, 'file truncated; reading the rest from its copy');
        old.key = own.opened.key;
        old.physicalPath = own.path;
        tracker.run(new Tailer(own.opened.handle, old, 'copy', tracker.environment));
      }
    }
    let newestMs = Math.max(old.copiesFromMs, own?.opened.birthMs ?? 0);
    for (const copy of copies) {
      if (used.has(copy)) continue;
      // Born before the copy of the old contents: a copy of contents before them.
      if (own && copy.opened.birthMs < own.opened.birthMs) continue;
      // The copy of the new contents (their first bytes read, the reply late on a starved CPU): it
      // and every copy after are the next truncation's to carry on.
      if (startsLike(copy.opened.head, successor.head, fingerprintBytes)) break;
      // A copy of other contents followed.
      if (tracker.isKnown(copy.opened.key) || tracker.startsLikeKnownContents(copy.opened.head)) continue;
      used.add(copy);
      newestMs = Math.max(newestMs, copy.opened.birthMs);
      log.warn({ path: old.logicalPath, file: copy.path }, 'reading a copy of a truncation never seen');
      tracker.options.rotated('truncate');
      tracker.start(copy.opened, old.logicalPath, copy.path, 0, 'copy');
    }
    successor.copiesFromMs = Math.max(successor.copiesFromMs, newestMs);
  } finally {
    for (const copy of copies) if (!used.has(copy)) await copy.opened.handle.close().catch(() => {});
  }
}

/**
 * Whether the file a tailer reads was truncated and written again since its contents began, asked
 * when its first bytes grow to `head` from too few to tell contents apart: a copy born since the
 * newest accounted for holds those contents (or later ones), unless it is a copy of what the file
 * holds now (made just before a truncation still to come). The truncation is then carried on.
 */
export async function rewrittenSince(tracker: Tracking, file: TrackedFile, head: Buffer): Promise<boolean> {
  if (tracker.closed) return false;
  const { fingerprintBytes } = tracker.options;
  const copies = await copiesBorn(tracker, file.logicalPath, file.copiesFromMs, Number.POSITIVE_INFINITY);
  try {
    for (const { opened } of copies) {
      if (tracker.startsLikeKnownContents(opened.head)) continue;
      return !holdsStartOf(opened.head, head, fingerprintBytes);
    }
    return false;
  } finally {
    for (const { opened } of copies) await opened.handle.close().catch(() => {});
  }
}

/** Whether a copy's first bytes are those the file holds now: all of them, or enough to tell. */
function holdsStartOf(copyHead: Buffer, liveHead: Buffer, fingerprintBytes: number): boolean {
  const length = Math.min(copyHead.length, liveHead.length);
  if (!copyHead.subarray(0, length).equals(liveHead.subarray(0, length))) return false;
  return (
    copyHead.length <= liveHead.length || tellsContentsApart(copyHead.subarray(0, length), fingerprintBytes)
  );
}
