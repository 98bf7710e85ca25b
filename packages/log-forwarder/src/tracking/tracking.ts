import type { Logger } from '@toolkit/lifecycle';
import type { LinkRoots, OpenedFile } from '../disk/file-checks.ts';
import type { FileKey } from '../disk/file-identity.ts';
import type { PathFilter } from '../disk/glob.ts';
import type { PositionsEntry } from '../positions/positions-file.ts';
import type { Tailer } from '../reading/tailer.ts';
import type { TailerEnvironment, TailerMode } from '../reading/tailer-environment.ts';
import type { TrackedFile, TrackingContext } from '../reading/tracked-file.ts';

export interface TrackerOptions {
  filter: PathFilter;
  fingerprintBytes: number;
  /** Directories a file must really be in (through links); undefined: anywhere. */
  linkRoots: LinkRoots;
  readFrom: 'end' | 'beginning';
  /** When the positions file of the last run was written; undefined at the first start. */
  previousSaveMs: number | undefined;
  /** --ignore-older: a file the positions file does not know, last written longer ago, starts at its end. */
  ignoreOlderMs: number | undefined;
  context: TrackingContext;
  environment: Omit<TailerEnvironment, 'moved' | 'truncated' | 'rewrittenSince'>;
  log: Logger;
  /** A rotation seen, or a rotated file found that was never followed (a rotation seen late). */
  rotated(kind: 'rename' | 'truncate'): void;
  watching(count: number): void;
}

/**
 * What resuming after a restart and recovering rotations need of the file tracker: the files it
 * knows, and starting more. (The FileTracker implements it; they do not import the class.)
 */
export interface Tracking {
  readonly options: TrackerOptions;
  readonly closed: boolean;
  /** For a tailer of new contents on a followed inode (after a truncation). */
  readonly environment: TailerEnvironment;
  /** Followed now. */
  isTracked(key: FileKey): boolean;
  /** Followed now, or read to its end and let go. */
  isKnown(key: FileKey): boolean;
  /** The tailer following `path` under its own name, if any. */
  liveAt(path: string): Tailer | undefined;
  /** Starts following an opened file from `offset`. */
  start(
    opened: OpenedFile,
    logicalPath: string,
    physicalPath: string,
    offset: number,
    mode: TailerMode,
  ): TrackedFile;
  /** Keeps a tailer among the followed files until it ends. */
  run(tailer: Tailer): void;
  /** Runs `work` after the file events before it. */
  enqueue(work: () => Promise<void>): void;
  /** A file of the positions file read to its end before the restart, and still whole: known, not read. */
  retire(opened: OpenedFile, entry: PositionsEntry, physicalPath: string): void;
  /**
   * A copy with nothing to read (empty): known from now on; its handle is closed. Not named in the
   * positions file: a restart that finds it reads nothing from it.
   */
  account(opened: OpenedFile): void;
  /**
   * A copy whose lines were all read from `copied`, the contents it copies (read past its end before
   * the truncation): known from now on, not read, its handle closed; named as done in the positions
   * file once `copied` is acknowledged past its end, so that a restart does not read it again.
   */
  readPast(copy: OpenedFile, path: string, copied: TrackedFile): void;
  /** Contents that hold nothing sent nor to send (read again whole from their copy): no entry. */
  forget(file: TrackedFile): void;
  /** Whether a file starts like contents followed or named by the positions file: a copy of those. */
  startsLikeKnownContents(head: Buffer): boolean;
}
