import type { RecordSlice } from '../records/record.ts';

/**
 * What a sink did with a batch: each record is in one list. `retry` go again after the backoff (or
 * `retryAfterMs`); `dropped` will never be taken (a permanent 4xx) and are counted.
 */
export interface SendOutcome {
  delivered: RecordSlice[];
  retry: RecordSlice[];
  dropped: RecordSlice[];
  retryAfterMs?: number;
  /** The sink refused the request as too large (413): `retry` goes again in smaller batches. */
  tooLarge?: boolean;
  /** Why some records were not delivered, for the log. */
  problem?: string;
  /**
   * Of `delivered`, how many the receiver took the request for but rejected (an OTLP partial_success),
   * and its reason: counted and logged, never sent again (the spec says not to retry them).
   */
  rejected?: { count: number; reason: string };
}

/** A destination for records: sends batches (several at a time unless it says otherwise) and says what became of each record. */
export interface Sink {
  /** `stdout`, `http`, `loki` or `elasticsearch`: the `sink` label of the metrics. */
  readonly name: string;
  /** Most batches it takes at a time (stdout: 1, so lines stay in order); when absent, any number. */
  readonly maxInFlight?: number;
  send(batch: RecordSlice[], signal: AbortSignal): Promise<SendOutcome>;
  close(): void;
}

export function deliverAll(batch: RecordSlice[]): SendOutcome {
  return { delivered: batch, retry: [], dropped: [] };
}

export function retryAll(batch: RecordSlice[], problem: string, retryAfterMs?: number): SendOutcome {
  return {
    delivered: [],
    retry: batch,
    dropped: [],
    problem,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}

export function dropAll(batch: RecordSlice[], problem: string): SendOutcome {
  return { delivered: [], retry: [], dropped: batch, problem };
}

/** Builds slices record by record, joining neighbours of one block: for outcomes decided per record. */
export class SliceList {
  readonly slices: RecordSlice[] = [];

  add(block: RecordSlice['block'], index: number): void {
    const last = this.slices[this.slices.length - 1];
    if (last && last.block === block && last.to === index) last.to++;
    else this.slices.push({ block, from: index, to: index + 1 });
  }
}
