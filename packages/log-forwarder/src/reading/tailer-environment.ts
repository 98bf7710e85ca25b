import type { RecordBlock } from '../records/record.ts';
import type { MemoryBudget } from './memory-budget.ts';
import type { ReadBuffers } from './read-buffers.ts';
import type { RecordShaper } from './record-shaper.ts';
import type { TrackedFile } from './tracked-file.ts';

/**
 * `live`: followed under a watched name; `rotated`: renamed away or deleted, read to its end and let
 * go once idle; `copy`: a finished copy (logrotate's), read to its end.
 */
export type TailerMode = 'live' | 'rotated' | 'copy';

/** A tailer as the forwarder sees it when it reports: the file it reads, and its held lines. */
export interface FileReader {
  readonly file: TrackedFile;
  /** Flushes what `old` still holds, for contents that end here (truncated, with no copy found). */
  flushOld(old: TrackedFile): void;
}

export interface TailerTiming {
  pollMs: number;
  rotateWaitMs: number;
  partialLineMs: number;
  multilineMs: number;
  fingerprintBytes: number;
}

/** What a tailer reports to, and takes from, the forwarder. */
export interface TailerEnvironment {
  timing: TailerTiming;
  /** The batch limits: a block of records is never bigger, so batches are made of whole blocks. */
  blockLimits: { maxRecords: number; maxBytes: number };
  budget: MemoryBudget;
  buffers: ReadBuffers;
  /** Filters, redacts, parses and dates records; undefined when no rule is set (lines stay bytes). */
  shaper: RecordShaper | undefined;
  /**
   * Hands a block to the sinks (its `bytes` counted: what it holds in the memory budget); `end` is
   * the offset its segment commits when they all have it.
   */
  dispatch(block: RecordBlock, end: number): void;
  counted(file: TrackedFile, lines: number, bytes: number): void;
  /** The file's name no longer leads to it (renamed or deleted): the name may hold a new file. */
  moved(reader: FileReader, path: string): void;
  /** The file was truncated; `old` is what was read before, which a copy may carry on. */
  truncated(reader: FileReader, old: TrackedFile): void;
  /**
   * The file's start grew from bytes too few to tell contents apart (to `head`): whether copies made
   * since its contents began show it was truncated and written again meanwhile.
   */
  rewrittenSince(reader: FileReader, head: Buffer): Promise<boolean>;
}
