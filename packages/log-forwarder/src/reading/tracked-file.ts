import { type FileKey, fingerprintOf } from '../disk/file-identity.ts';
import type { PositionsEntry } from '../positions/positions-file.ts';
import { AckLedger, type Segment } from '../records/ack-ledger.ts';
import type { LogSource } from '../records/record.ts';
import { type ContainerFormat, ContainerLineDecoder } from './container-lines.ts';
import { type LineLimits, LineSplitter } from './line-splitter.ts';
import { MultilineJoiner, type RecordStart } from './multiline.ts';

export interface LineRules extends LineLimits {
  /** Whether a line starts a record (--multiline-start, --multiline-preset); undefined: every line does. */
  multilineStart: RecordStart | undefined;
  /** The container runtime's line format (--format), undefined for plain lines. */
  format: ContainerFormat | undefined;
}

/** What a tracked file needs from the forwarder: where to report commits and free memory. */
export interface TrackingContext {
  rules: LineRules;
  committed: () => void;
  /** Frees what a segment held once every sink has it. */
  release: (segment: Segment) => void;
}

/**
 * One file's contents being followed, from one start to its end: identity (device, inode, head
 * bytes), read and committed offsets, and the partial line or multiline record held. Truncating a
 * file starts a new one on the same inode; a file copied before the truncation carries the old one on.
 */
export class TrackedFile {
  /** Device and inode of the file read now (a copy carrying on a truncated file has its own). */
  key: FileKey;
  /** The name the app writes to: records carry it, whatever the file is renamed to. */
  readonly logicalPath: string;
  /** Where the file is now. */
  physicalPath: string;
  head: Buffer;
  /** Replaced, not changed, when the head grows: records already made keep their id. */
  source: LogSource;
  readOffset: number;
  /** The end of the last segment handed to the sinks. */
  sentEnd: number;
  lastDataAt = performance.now();
  readonly splitter: LineSplitter;
  readonly joiner: MultilineJoiner | undefined;
  readonly decoder: ContainerLineDecoder | undefined;
  readonly ledger: AckLedger;
  /**
   * When reading of these contents began (Unix ms): a truncation starts new contents, seen with
   * their first bytes (see `successor`). A copy of them is made after.
   */
  startedMs = Date.now();
  /** Birth time of the file (Unix ms), 0 when the file system keeps none. */
  birthMs = 0;
  /**
   * When these contents began (Unix ms): the file's birth (when it has one) for its first contents,
   * when the truncation was seen for the next; after a restart, as the positions file says.
   */
  contentsBornMs = this.startedMs;
  /**
   * Birth time (Unix ms) from which logrotate's copies of these contents, and of any after them, are
   * born: every copy born before is accounted for (followed, or read past). Set to the newest copy
   * accounted for when a truncation is carried on; a second before reading began for the first
   * contents followed (a copy made while the first bytes were read, clocks of coarse ticks).
   */
  copiesFromMs = this.startedMs - 1000;
  /**
   * When these contents were in the file (Unix ms; for new contents after a truncation, just after
   * their first bytes were read): a copy of contents before them is born before.
   */
  inFileByMs = this.startedMs;
  /** No more reading: the file was let go, or the copy was read to its end. */
  finished = false;
  readonly #context: TrackingContext;

  constructor(
    key: FileKey,
    logicalPath: string,
    physicalPath: string,
    head: Buffer,
    offset: number,
    context: TrackingContext,
  ) {
    this.key = key;
    this.logicalPath = logicalPath;
    this.physicalPath = physicalPath;
    this.head = head;
    this.source = {
      path: logicalPath,
      pathJson: JSON.stringify(logicalPath),
      fingerprint: fingerprintOf(head),
    };
    this.readOffset = offset;
    this.sentEnd = offset;
    this.#context = context;
    this.splitter = new LineSplitter(context.rules);
    const start = context.rules.multilineStart;
    this.joiner = start ? new MultilineJoiner(start, context.rules.maxLineBytes) : undefined;
    const format = context.rules.format;
    this.decoder = format ? new ContainerLineDecoder(format, context.rules.maxLineBytes) : undefined;
    this.ledger = new AckLedger(offset, context.committed, context.release);
  }

  /**
   * The file that starts when this one is truncated: same inode and name, new head, offset 0. Its
   * first bytes were read between `seenAtMs` and `readMs`: it dates from the first (the tailer may go
   * on seconds later on a starved CPU, after a copy of it was made), and was in the file by the second.
   */
  successor(head: Buffer, seenAtMs: number, readMs: number): TrackedFile {
    const next = new TrackedFile(this.key, this.logicalPath, this.physicalPath, head, 0, this.#context);
    next.startedMs = Math.min(next.startedMs, seenAtMs);
    next.contentsBornMs = next.startedMs;
    next.copiesFromMs = this.copiesFromMs;
    next.inFileByMs = Math.min(next.inFileByMs, readMs);
    return next;
  }

  /** Offset of the first byte not yet in a record: a restart reads again from here. */
  get safeOffset(): number {
    const end = this.readOffset;
    return Math.min(
      this.splitter.heldFrom ?? end,
      this.decoder?.heldFrom ?? end,
      this.joiner?.heldFrom ?? end,
    );
  }

  /** Takes a longer head read from the file (it has grown), so the fingerprint covers more bytes. */
  growHead(head: Buffer): void {
    if (head.length <= this.head.length) return;
    this.head = head;
    this.source = { ...this.source, fingerprint: fingerprintOf(head) };
  }

  /** Its line of the positions file: the committed offset, never past an unacknowledged line. */
  toEntry(): PositionsEntry {
    return {
      path: this.logicalPath,
      file: this.physicalPath,
      dev: this.key.dev,
      ino: this.key.ino,
      fingerprint: this.source.fingerprint,
      fingerprintBytes: this.head.length,
      offset: this.ledger.committed,
      bornMs: this.contentsBornMs,
      ...(this.finished && this.ledger.openSegments === 0 ? { done: true } : {}),
    };
  }
}
