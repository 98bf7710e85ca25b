import type { Logger } from '@toolkit/lifecycle';
import { countRecords, type RecordBlock, type RecordSlice } from '../records/record.ts';
import type { Sink } from '../sinks/sink.ts';
import { type BatchLimits, BatchQueue } from './batch-queue.ts';
import { deliverBatch, type RunnerMetrics, SinkPause } from './deliver-batch.ts';
import type { RetryPolicy } from './retry.ts';

export interface RunnerOptions {
  limits: BatchLimits;
  policy: RetryPolicy;
  metrics: RunnerMetrics;
  log: Logger;
  /**
   * Batches sent at a time (1 when omitted). A batch counts until it is acknowledged and `afterBatch`
   * is done, and a batch is sent only while fewer than this many batches, counted from the oldest
   * not yet done, have been sent: one slow or failing batch holds the ones after it, so however the
   * sink answers, a crash sends again at most this many batches.
   */
  inFlight?: number;
  /**
   * Awaited after each batch is acknowledged, before its place is free for another: the forwarder
   * waits for the positions file, so a crash sends again only the batches that were in flight.
   */
  afterBatch?: () => Promise<void>;
}

/**
 * Feeds one sink: queues blocks, sends them in batches (full, or due after the timeout), up to
 * `inFlight` at a time, and retries failures until the sink takes them. Acknowledgements may come in
 * any order; the files' ledgers commit only what every sink has, in file order.
 */
export class SinkRunner {
  readonly sink: Sink;
  readonly #options: RunnerOptions;
  readonly #queue: BatchQueue;
  readonly #log: Logger;
  readonly #abandon = new AbortController();
  readonly #inFlight: number;
  #timer: NodeJS.Timeout | undefined;
  #due = false;
  #flushing = false;
  /** Number the next batch sent gets. */
  #nextBatch = 0;
  /** Numbers of the batches sent and not yet done, oldest first (done ones are removed at the front). */
  readonly #window: { batch: number; done: boolean }[] = [];
  /** Records of the batches sent and not yet acknowledged (or given up at the deadline). */
  #sentRecords = 0;
  readonly #pause = new SinkPause();
  #idle: (() => void)[] = [];

  constructor(sink: Sink, options: RunnerOptions) {
    this.sink = sink;
    this.#options = options;
    this.#inFlight = Math.max(1, options.inFlight ?? 1);
    this.#queue = new BatchQueue(options.limits);
    this.#log = options.log.child({ sink: sink.name });
  }

  /** Records waiting to be sent. */
  get queued(): number {
    return this.#queue.records;
  }

  /** Records not acknowledged: waiting to be sent, being sent, or given up at the shutdown deadline. */
  get unacknowledged(): number {
    return this.#queue.records + this.#sentRecords;
  }

  enqueue(block: RecordBlock): void {
    this.#queue.add(block);
    if (this.#queue.full) this.#pump();
    else this.#armTimer();
  }

  /** Sends everything queued now, without waiting for full batches; resolves when all is settled or abandoned. */
  flush(): Promise<void> {
    this.#flushing = true;
    if (this.queued === 0 && this.#window.length === 0) return Promise.resolve();
    const idle = new Promise<void>((resolve) => this.#idle.push(resolve));
    this.#pump();
    return idle;
  }

  /** Stops retrying and cancels the requests in flight: what is not acknowledged is read again after a restart. */
  abandon(): void {
    this.#abandon.abort();
    clearTimeout(this.#timer);
    this.#resolveIdle();
  }

  close(): void {
    clearTimeout(this.#timer);
    this.sink.close();
  }

  #armTimer(): void {
    if (this.#timer || this.queued === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#due = true;
      this.#pump();
    }, this.#options.limits.timeoutMs);
  }

  /** Whether the window has room: fewer than `inFlight` batches since the oldest one not done. */
  #hasRoom(): boolean {
    const oldest = this.#window.length > 0 ? this.#window[0]!.batch : this.#nextBatch;
    return this.#nextBatch - oldest < this.#inFlight;
  }

  /** Sends batches while there are full (or due) ones and the window has room. */
  #pump(): void {
    const signal = this.#abandon.signal;
    while (this.queued > 0 && (this.#queue.full || this.#due || this.#flushing) && this.#hasRoom()) {
      if (signal.aborted) break;
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#due = false;
      const entry = { batch: this.#nextBatch++, done: false };
      this.#window.push(entry);
      void this.#send(this.#queue.take(), entry);
    }
    if (this.#window.length > 0) return;
    if (this.queued === 0 || signal.aborted) this.#resolveIdle();
    else this.#armTimer();
  }

  async #send(batch: RecordSlice[], entry: { done: boolean }): Promise<void> {
    const { policy, metrics, afterBatch } = this.#options;
    const signal = this.#abandon.signal;
    const records = countRecords(batch);
    this.#sentRecords += records;
    try {
      const left = await deliverBatch(this.sink, batch, policy, metrics, this.#log, signal, this.#pause);
      this.#sentRecords -= records - left;
      await afterBatch?.();
    } finally {
      entry.done = true;
      const window = this.#window;
      while (window.length > 0 && window[0]!.done) window.shift();
      this.#pump();
      // Records that came while the window was full wait for a full batch or the timeout.
      if (this.queued > 0) this.#armTimer();
    }
  }

  #resolveIdle(): void {
    for (const resolve of this.#idle.splice(0)) resolve();
  }
}
