import type { Segment } from './ack-ledger.ts';
import type { EventTime } from './event-time.ts';

/** What every record of one file shares; `path` is the name the app wrote to, kept across renames. */
export interface LogSource {
  path: string;
  /** `path` as a JSON string, made once for the serializers. */
  pathJson: string;
  /** Hex digest of the file's first bytes; with the offset it names a record across restarts. */
  fingerprint: string;
}

/**
 * The records of one read of a file (or of one flush), in file order. A line is kept as its bytes in
 * the chunk it was read into (`data[starts[i]..ends[i])`) with its positions in typed arrays, not as
 * an object and a string each: tens of thousands wait for the sinks, and a few arrays outside the
 * JavaScript heap per read cost the garbage collector (and the process's memory) far less. Records
 * made as strings (joined, parsed, or spanning two reads) have `texts[i]` instead.
 */
export class RecordBlock {
  readonly source: LogSource;
  /** When it was read, in Unix milliseconds. */
  readonly time: number;
  readonly segment: Segment;
  readonly data: Buffer | undefined;
  count = 0;
  /**
   * What the block counts for in batches and the memory budget: its records' sizes plus
   * recordOverhead each (set when dispatched).
   */
  bytes = 0;
  starts: Int32Array;
  ends: Int32Array;
  /** File offset of each record's first byte (files can pass 2 GiB: doubles). */
  offsets: Float64Array;
  /** The line of each record made as a string, by index (none for records kept as bytes). */
  texts: (string | undefined)[] | undefined;
  /** The fields parsed from each record's line, by index (none for records not parsed). */
  fields: (Record<string, unknown> | undefined)[] | undefined;
  /**
   * The time taken from each record's line (Unix ms, NaN for none: the read time stands) and the
   * nanoseconds within that millisecond; made for the first record that has one.
   */
  eventMs: Float64Array | undefined;
  eventNs: Int32Array | undefined;

  constructor(source: LogSource, time: number, segment: Segment, data: Buffer | undefined) {
    this.source = source;
    this.time = time;
    this.segment = segment;
    this.data = data;
    // Room for lines of 128 bytes on average; a chunk of shorter lines grows the arrays.
    const capacity = data ? Math.max(16, Math.ceil(data.length / 128)) : 16;
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.offsets = new Float64Array(capacity);
  }

  #grow(): void {
    const capacity = this.offsets.length * 2;
    const starts = new Int32Array(capacity);
    starts.set(this.starts);
    this.starts = starts;
    const ends = new Int32Array(capacity);
    ends.set(this.ends);
    this.ends = ends;
    const offsets = new Float64Array(capacity);
    offsets.set(this.offsets);
    this.offsets = offsets;
    if (this.eventMs && this.eventNs) {
      const eventMs = new Float64Array(capacity).fill(Number.NaN);
      eventMs.set(this.eventMs);
      this.eventMs = eventMs;
      const eventNs = new Int32Array(capacity);
      eventNs.set(this.eventNs);
      this.eventNs = eventNs;
    }
  }

  /** Adds a record held as `data[start..end)`. */
  addBytes(start: number, end: number, offset: number): void {
    if (this.count === this.offsets.length) this.#grow();
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.offsets[this.count] = offset;
    // texts and fields are indexed by record and only set for records made as strings: a record
    // kept as bytes writes nothing there (a write per line here made garbage on every line).
    this.count++;
  }

  /** Adds a record held as a string, with the fields parsed from it and the time taken from it. */
  addText(text: string, offset: number, fields: Record<string, unknown> | undefined, time?: EventTime): void {
    if (this.count === this.offsets.length) this.#grow();
    this.texts ??= [];
    this.texts[this.count] = text;
    if (fields) {
      this.fields ??= [];
      this.fields[this.count] = fields;
    }
    if (time) {
      if (!this.eventMs || !this.eventNs) {
        this.eventMs = new Float64Array(this.offsets.length).fill(Number.NaN);
        this.eventNs = new Int32Array(this.offsets.length);
      }
      this.eventMs[this.count] = time.ms;
      this.eventNs[this.count] = time.ns;
    }
    this.offsets[this.count] = offset;
    this.count++;
  }

  /** When record `i` happened, in Unix ms: the time taken from its line, else when it was read. */
  timeMs(i: number): number {
    const ms = this.eventMs?.[i];
    return ms === undefined || Number.isNaN(ms) ? this.time : ms;
  }

  /** The line of record `i` as a string (made for the moment when it is held as bytes). */
  text(i: number): string {
    return this.texts?.[i] ?? this.data!.toString('utf8', this.starts[i], this.ends[i]);
  }

  /** About the bytes of record `i`'s line: what batches and the memory budget count. */
  size(i: number): number {
    const text = this.texts?.[i];
    return text === undefined ? this.ends[i]! - this.starts[i]! : text.length;
  }

  /** The id of record `i` that stays the same when it is read again: file fingerprint plus offset. */
  id(i: number): string {
    return `${this.source.fingerprint}-${this.offsets[i]}`;
  }
}

const stdoutFields: Readonly<Record<string, unknown>> = Object.freeze({ stream: 'stdout' });
const stderrFields: Readonly<Record<string, unknown>> = Object.freeze({ stream: 'stderr' });

/**
 * The fields of a container line that nothing parsed: `{ stream }`, one shared object for each of
 * stdout and stderr rather than one per record held until every sink has it (sinks only read fields).
 */
export function streamFields(stream: string): Record<string, unknown> {
  if (stream === 'stdout') return stdoutFields;
  if (stream === 'stderr') return stderrFields;
  return { stream };
}

/** The stream named by `fields` when they are streamFields' shared object for it; else undefined. */
export function sharedStream(fields: Record<string, unknown>): 'stdout' | 'stderr' | undefined {
  return fields === stdoutFields ? 'stdout' : fields === stderrFields ? 'stderr' : undefined;
}

/** Records `from` (included) to `to` (excluded) of a block: what batches and outcomes are made of. */
export interface RecordSlice {
  block: RecordBlock;
  from: number;
  to: number;
}

export function countRecords(slices: readonly RecordSlice[]): number {
  let count = 0;
  for (const slice of slices) count += slice.to - slice.from;
  return count;
}

/** The records of `slices` in two halves, or undefined when there is only one record. */
export function splitInHalf(slices: readonly RecordSlice[]): [RecordSlice[], RecordSlice[]] | undefined {
  const total = countRecords(slices);
  if (total < 2) return undefined;
  const first: RecordSlice[] = [];
  const second: RecordSlice[] = [];
  let left = Math.floor(total / 2);
  for (const { block, from, to } of slices) {
    const taken = Math.min(left, to - from);
    if (taken > 0) first.push({ block, from, to: from + taken });
    if (from + taken < to) second.push({ block, from: from + taken, to });
    left -= taken;
  }
  return [first, second];
}

/** Bytes a record costs in memory beyond its line: what the budget and batch sizes add per record. */
export const recordOverhead = 64;

/** `2026-05-01T10:00:00.000Z` for Unix milliseconds, remembered for the run of records read together. */
export function createTimeFormatter(): (ms: number) => string {
  let lastMs = Number.NaN;
  let lastText = '';
  return (ms) => {
    if (ms !== lastMs) {
      lastMs = ms;
      lastText = new Date(ms).toISOString();
    }
    return lastText;
  };
}

/** Marks records as acknowledged by one sink (or dropped by it for good). */
export function settleRecords(slices: readonly RecordSlice[]): void {
  for (const { block, from, to } of slices) {
    const segment = block.segment;
    segment.pending -= to - from;
    if (segment.pending === 0) segment.ledger.settled(segment);
  }
}
