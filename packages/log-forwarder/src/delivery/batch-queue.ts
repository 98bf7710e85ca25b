import { type RecordBlock, type RecordSlice, recordOverhead } from '../records/record.ts';

export interface BatchLimits {
  maxRecords: number;
  maxBytes: number;
  timeoutMs: number;
}

/** The blocks waiting for one sink, in the order they were read, and the batches taken from them. */
export class BatchQueue {
  readonly #limits: BatchLimits;
  /** Blocks as dispatched (shared by the sinks, never changed). */
  readonly #blocks: RecordBlock[] = [];
  /** Records of the first block already taken. */
  #first = 0;
  #records = 0;
  #bytes = 0;

  constructor(limits: BatchLimits) {
    this.#limits = limits;
  }

  get records(): number {
    return this.#records;
  }

  /** Enough for a full batch. */
  get full(): boolean {
    return this.#records >= this.#limits.maxRecords || this.#bytes >= this.#limits.maxBytes;
  }

  add(block: RecordBlock): void {
    if (block.count === 0) return;
    this.#blocks.push(block);
    this.#records += block.count;
    this.#bytes += block.bytes;
  }

  /**
   * The next batch: whole blocks, up to the limits (the tailers make no block bigger than a batch, so
   * an acknowledgement commits whole blocks). A block bigger than the limits on its own (one joined
   * record longer than a batch) is split.
   */
  take(): RecordSlice[] {
    const { maxRecords, maxBytes } = this.#limits;
    const batch: RecordSlice[] = [];
    let count = 0;
    let bytes = 0;
    while (this.#blocks.length > 0 && count < maxRecords && bytes < maxBytes) {
      const block = this.#blocks[0]!;
      const from = this.#first;
      if (count > 0 && (count + block.count > maxRecords || bytes + block.bytes > maxBytes)) break;
      let to = from;
      if (from === 0 && count + block.count <= maxRecords && bytes + block.bytes <= maxBytes) {
        // The usual case: the whole block fits, counted as it was dispatched.
        to = block.count;
        count += block.count;
        bytes += block.bytes;
      }
      while (to < block.count && count < maxRecords && (count === 0 || bytes < maxBytes)) {
        bytes += block.size(to++) + recordOverhead;
        count++;
      }
      batch.push({ block, from, to });
      this.#first = to;
      // A block taken whole is let go at once, so its memory can be freed as soon as it is acknowledged.
      if (to === block.count) {
        this.#blocks.shift();
        this.#first = 0;
      }
    }
    this.#records -= count;
    this.#bytes -= bytes;
    return batch;
  }
}
