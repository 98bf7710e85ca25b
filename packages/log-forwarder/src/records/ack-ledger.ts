/**
 * A stretch of a file handed to the sinks in one go: done when every sink has acknowledged (or dropped)
 * each of its records, then the file's committed offset may move to its end.
 */
export interface Segment {
  readonly ledger: AckLedger;
  /** File offset up to which everything is sent once this segment is done. */
  end: number;
  /** Record-sink pairs not yet acknowledged. */
  pending: number;
  /** Memory budget bytes freed when done. */
  bytes: number;
  /** The pooled read buffer the records are in, shared by the blocks of one read. */
  pooled: PooledBuffer | undefined;
}

/** A read buffer lent to the blocks of one read: back to the pool when the last is acknowledged. */
export interface PooledBuffer {
  buffer: Buffer;
  blocks: number;
}

/**
 * The committed offset of one file: it moves only over segments every sink has acknowledged, in file
 * order, so the positions file never covers a line a sink does not have.
 */
export class AckLedger {
  #committed: number;
  readonly #open: Segment[] = [];
  readonly #onAdvance: () => void;
  readonly #release: (segment: Segment) => void;

  constructor(start: number, onAdvance: () => void, release: (segment: Segment) => void) {
    this.#committed = start;
    this.#onAdvance = onAdvance;
    this.#release = release;
  }

  get committed(): number {
    return this.#committed;
  }

  /** Segments not yet done (their records are with a sink, or waiting for one). */
  get openSegments(): number {
    return this.#open.length;
  }

  /** A segment for the records about to be read; it counts once sealed. */
  createSegment(): Segment {
    return { ledger: this, end: this.#committed, pending: 0, bytes: 0, pooled: undefined };
  }

  /** Queues a segment of records read up to `end`; `pending` is records times sinks (0 commits at once). */
  seal(segment: Segment, end: number, pending: number, bytes: number): void {
    segment.end = end;
    segment.pending = pending;
    segment.bytes = bytes;
    this.#open.push(segment);
    if (pending === 0) this.settled(segment);
  }

  /** Called when a segment's last record is acknowledged. */
  settled(segment: Segment): void {
    this.#release(segment);
    let advanced = false;
    while (this.#open.length > 0 && this.#open[0]!.pending === 0) {
      this.#committed = this.#open.shift()!.end;
      advanced = true;
    }
    if (advanced) this.#onAdvance();
  }
}
