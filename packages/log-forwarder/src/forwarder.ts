import type { Logger } from '@toolkit/lifecycle';
import type { BatchLimits } from './delivery/batch-queue.ts';
import type { RetryPolicy } from './delivery/retry.ts';
import { SinkRunner } from './delivery/sink-runner.ts';
import { Discovery } from './disk/discovery.ts';
import { createPathFilter, globBase } from './disk/glob.ts';
import { bindRunnerMetrics, countRead } from './metric-bindings.ts';
import type { ForwarderMetrics } from './metrics.ts';
import type { SavedPositions } from './positions/positions-file.ts';
import { PositionsWriter } from './positions/positions-writer.ts';
import { MemoryBudget } from './reading/memory-budget.ts';
import { ReadBuffers } from './reading/read-buffers.ts';
import { RecordShaper } from './reading/record-shaper.ts';
import type { TailerTiming } from './reading/tailer-environment.ts';
import type { RecordBlock } from './records/record.ts';
import type { Settings } from './settings.ts';
import type { Sink } from './sinks/sink.ts';
import { FileTracker } from './tracking/file-tracker.ts';

export interface ForwarderOptions {
  settings: Settings;
  sinks: Sink[];
  timing: TailerTiming;
  maxLineBytes: number;
  longLines: 'truncate' | 'skip';
  readFrom: 'end' | 'beginning';
  /** Follow a file whose name is a link out of the directories of --path (refused by default). */
  followLinksOutside: boolean;
  positionsFile: string;
  checkpointIntervalMs: number;
  /** The positions file of the last run; undefined at the first start. */
  positions: SavedPositions | undefined;
  bufferMaxBytes: number;
  batch: BatchLimits;
  /** Batches each sink (but stdout) is sent at a time. */
  batchesInFlight: number;
  retry: RetryPolicy;
  metrics: ForwarderMetrics;
  log: Logger;
}

/** Files are read in chunks this big. */
const readChunkBytes = 256 * 1024;
/** How often the globs are matched again, for what the watcher missed. */
const rescanMs = 10_000;

/**
 * The whole pipeline: discovery finds files, tailers read them into records, one runner per sink
 * delivers them, and each acknowledgement moves the file's committed offset into the positions file.
 */
export class Forwarder {
  readonly tracker: FileTracker;
  readonly #options: ForwarderOptions;
  readonly #budget: MemoryBudget;
  readonly #runners: SinkRunner[];
  readonly #positionsWriter: PositionsWriter;
  readonly #discovery: Discovery;

  constructor(options: ForwarderOptions) {
    this.#options = options;
    const { settings, metrics, log } = options;
    this.#budget = new MemoryBudget(options.bufferMaxBytes);
    this.#runners = options.sinks.map((sink) => this.#createRunner(sink));
    this.#positionsWriter = new PositionsWriter({
      path: options.positionsFile,
      minIntervalMs: options.checkpointIntervalMs,
      collect: () => this.tracker.entries(),
      log,
      saved: (ok) => metrics.checkpointWrites.inc({ result: ok ? 'ok' : 'error' }),
    });
    const filter = createPathFilter(settings.include, settings.exclude);
    const shaper = settings.recordRules ? new RecordShaper(settings.recordRules) : undefined;
    // The buffers big reads fill stay with their records until acknowledged: as many as the budget.
    const buffers = new ReadBuffers(
      readChunkBytes,
      Math.max(4, Math.ceil(options.bufferMaxBytes / readChunkBytes)),
    );
    this.tracker = new FileTracker({
      filter,
      fingerprintBytes: options.timing.fingerprintBytes,
      linkRoots: options.followLinksOutside ? undefined : settings.include.map(globBase),
      readFrom: options.readFrom,
      previousSaveMs: options.positions?.savedAtMs,
      ignoreOlderMs: settings.ignoreOlderMs,
      context: {
        rules: {
          maxLineBytes: options.maxLineBytes,
          longLines: options.longLines,
          multilineStart: settings.multilineStart,
          format: settings.format,
        },
        committed: () => this.#positionsWriter.markDirty(),
        release: (segment) => {
          this.#budget.release(segment.bytes);
          if (segment.pooled && --segment.pooled.blocks === 0) buffers.release(segment.pooled.buffer);
        },
      },
      environment: {
        timing: options.timing,
        blockLimits: options.batch,
        budget: this.#budget,
        buffers,
        shaper,
        dispatch: (block, end) => this.#dispatch(block, end),
        counted: (file, lines, bytes) => countRead(metrics, file, lines, bytes, shaper?.counts),
      },
      log,
      rotated: (kind) => metrics.rotations.inc({ kind }),
      watching: (count) => metrics.filesWatched.set(count),
    });
    this.#discovery = new Discovery(settings.include, filter, {
      found: (path) => this.tracker.found(path),
      changed: (path) => this.tracker.changed(path),
    });
    this.#observeGauges();
  }

  /**
   * Opens the files of the positions file, then every file the globs match; resolves when all are
   * open and the positions file names them. Ready before that, a SIGKILL would leave no positions
   * file (or the last run's): the restart, a first start again, would skip what came meanwhile
   * (--read-from end), or read again files found since.
   */
  async start(): Promise<void> {
    await this.tracker.resume(this.#options.positions?.entries ?? []);
    await this.#discovery.start(this.#options.log, rescanMs);
    await this.tracker.initialScanDone();
    await this.#positionsWriter.persist();
  }

  /**
   * Shutdown: stop finding files, read every file to its current end, deliver, write the positions.
   * Past `deadlineMs`, retries and reads are abandoned: what is not acknowledged is read again after
   * the restart. Resolves with the count of records not delivered.
   */
  async stop(deadlineMs: number): Promise<number> {
    const deadline = setTimeout(() => {
      this.tracker.abort();
      for (const runner of this.#runners) runner.abandon();
    }, deadlineMs);
    try {
      await this.#discovery.close();
      await this.tracker.drain();
      await Promise.all(this.#runners.map((runner) => runner.flush()));
    } finally {
      clearTimeout(deadline);
    }
    const undelivered = this.#runners.reduce((sum, runner) => sum + runner.unacknowledged, 0);
    await this.#positionsWriter.flush();
    this.#positionsWriter.close();
    for (const runner of this.#runners) runner.close();
    return undelivered;
  }

  #createRunner(sink: Sink): SinkRunner {
    const { metrics, log, batch, retry, checkpointIntervalMs, batchesInFlight } = this.#options;
    return new SinkRunner(sink, {
      limits: batch,
      policy: retry,
      inFlight: Math.min(batchesInFlight, sink.maxInFlight ?? batchesInFlight),
      metrics: bindRunnerMetrics(metrics, sink.name),
      log,
      ...(checkpointIntervalMs === 0 ? { afterBatch: () => this.#positionsWriter.persist() } : {}),
    });
  }

  #dispatch(block: RecordBlock, end: number): void {
    const bytes = block.bytes;
    this.#budget.take(bytes);
    block.segment.ledger.seal(block.segment, end, block.count * this.#runners.length, bytes);
    for (const runner of this.#runners) runner.enqueue(block);
  }

  /** Values read when /metrics is scraped, not updated on every line. */
  #observeGauges(): void {
    const { metrics } = this.#options;
    const budget = this.#budget;
    const positionsWriter = this.#positionsWriter;
    metrics.bufferMaxBytes.set(budget.max);
    metrics.probes.bufferBytes = () => budget.used;
    metrics.probes.pausedSeconds = () => budget.pausedMs / 1000;
    metrics.probes.checkpointAgeSeconds = () => (Date.now() - positionsWriter.lastSavedMs) / 1000;
  }
}
