import type { Logger } from '@toolkit/lifecycle';
import { type BatchLimits, BatchQueue } from './batch-queue.ts';
import { deliverBatch, type RunnerMetrics } from './deliver-batch.ts';
import type { RecordBlock } from './record.ts';
import type { RetryPolicy } from './retry.ts';
import type { Sink } from './sinks/sink.ts';

export interface RunnerOptions {
  limits: BatchLimits;
  policy: RetryPolicy;
  metrics: RunnerMetrics;
  log: Logger;
  /**
   * Awaited after each batch is acknowledged, before the next is sent: the forwarder waits for the
   * positions file, so a crash sends again only the batch that was in flight.
   */
  afterBatch?: () => Promise<void>;
}

/**
 * Feeds one sink: queues blocks, sends them in batches (full, or due after the timeout), one batch at
 * a time so acknowledgements come in file order, and retries failures until the sink takes them.
 */
export class SinkRunner {
  readonly sink: Sink;
  readonly #options: RunnerOptions;
  readonly #queue: BatchQueue;
  readonly #log: Logger;
  readonly #abandon = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #due = false;
  #flushing = false;
  #busy = false;
  #idle: (() => void)[] = [];

  constructor(sink: Sink, options: RunnerOptions) {
    this.sink = sink;
    this.#options = options;
    this.#queue = new BatchQueue(options.limits);
    this.#log = options.log.child({ sink: sink.name });
  }

  /** Records waiting to be sent. */
  get queued(): number {
    return this.#queue.records;
  }

  enqueue(block: RecordBlock): void {
    this.#queue.add(block);
    if (this.#queue.full) void this.#pump();
    else this.#armTimer();
  }

  /** Sends everything queued now, without waiting for full batches; resolves when all is settled or abandoned. */
  flush(): Promise<void> {
    this.#flushing = true;
    if (this.queued === 0 && !this.#busy) return Promise.resolve();
    const idle = new Promise<void>((resolve) => this.#idle.push(resolve));
    void this.#pump();
    return idle;
  }

  /** Stops retrying and cancels the request in flight: what is not acknowledged is read again after a restart. */
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
    if (this.#timer || this.#busy || this.queued === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#due = true;
      void this.#pump();
    }, this.#options.limits.timeoutMs);
  }

  async #pump(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    const { policy, metrics, afterBatch } = this.#options;
    const signal = this.#abandon.signal;
    try {
      while (this.queued > 0 && (this.#queue.full || this.#due || this.#flushing) && !signal.aborted) {
        clearTimeout(this.#timer);
        this.#timer = undefined;
        this.#due = false;
        await deliverBatch(this.sink, this.#queue.take(), policy, metrics, this.#log, signal);
        await afterBatch?.();
      }
    } finally {
      this.#busy = false;
    }
    if (this.queued === 0 || signal.aborted) this.#resolveIdle();
    else this.#armTimer();
  }

  #resolveIdle(): void {
    for (const resolve of this.#idle.splice(0)) resolve();
  }
}
