import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface MetricProbes {
  bufferBytes: () => number;
  pausedSeconds: () => number;
  checkpointAgeSeconds: () => number;
}

/**
 * The forwarder's metrics, registered on the registry it is given (never the global one), so a test
 * or a second instance in one process gets fresh ones.
 */
export class ForwarderMetrics {
  /** Read when /metrics is scraped, rather than updated on every line; the forwarder fills them in. */
  readonly probes: MetricProbes = {
    bufferBytes: () => 0,
    pausedSeconds: () => 0,
    checkpointAgeSeconds: () => 0,
  };
  readonly linesRead: Counter<'path'>;
  readonly bytesRead: Counter<'path'>;
  readonly longLines: Counter<'action'>;
  readonly linesFiltered: Counter<'reason'>;
  readonly timeFallback: Counter;
  readonly recordsSent: Counter<'sink'>;
  readonly recordsFailed: Counter<'sink'>;
  readonly recordsRejected: Counter<'sink'>;
  readonly recordsRetried: Counter<'sink'>;
  readonly lokiLabelOverflow: Counter<'label'>;
  readonly batchDuration: Histogram<'sink'>;
  readonly sinkUp: Gauge<'sink'>;
  readonly bufferBytes: Gauge;
  readonly bufferMaxBytes: Gauge;
  readonly backpressureSeconds: Counter;
  readonly filesWatched: Gauge;
  readonly rotations: Counter<'kind'>;
  readonly checkpointAge: Gauge;
  readonly checkpointWrites: Counter<'result'>;

  constructor(registry: Registry) {
    const registers = [registry];
    const probes = this.probes;
    let pausedSeconds = 0;
    this.linesRead = new Counter({
      name: 'log_forwarder_lines_read_total',
      help: 'Lines read, by file (the name the app writes to).',
      labelNames: ['path'],
      registers,
    });
    this.bytesRead = new Counter({
      name: 'log_forwarder_bytes_read_total',
      help: 'Bytes read, by file.',
      labelNames: ['path'],
      registers,
    });
    this.longLines = new Counter({
      name: 'log_forwarder_long_lines_total',
      help: 'Lines longer than --max-line-bytes, by action: truncated or skipped.',
      labelNames: ['action'],
      registers,
    });
    this.linesFiltered = new Counter({
      name: 'log_forwarder_lines_filtered_total',
      help: 'Records not sent because of --include-lines (reason not_included) or --exclude-lines (excluded).',
      labelNames: ['reason'],
      registers,
    });
    this.timeFallback = new Counter({
      name: 'log_forwarder_time_fallback_total',
      help: 'Records sent with the time they were read because their --time-key field was missing or did not parse as --time-format.',
      registers,
    });
    this.recordsSent = new Counter({
      name: 'log_forwarder_records_sent_total',
      help: 'Records a sink acknowledged.',
      labelNames: ['sink'],
      registers,
    });
    this.recordsFailed = new Counter({
      name: 'log_forwarder_records_failed_total',
      help: 'Records a sink refused for good (a 4xx other than 408 and 429, or the retry limit): dropped.',
      labelNames: ['sink'],
      registers,
    });
    this.recordsRejected = new Counter({
      name: 'log_forwarder_records_rejected_total',
      help: 'Records a sink took the request for but rejected (an OTLP partial_success): counted in records_sent_total too, not sent again.',
      labelNames: ['sink'],
      registers,
    });
    this.recordsRetried = new Counter({
      name: 'log_forwarder_records_retried_total',
      help: 'Records sent again after a sink error or timeout.',
      labelNames: ['sink'],
      registers,
    });
    this.lokiLabelOverflow = new Counter({
      name: 'log_forwarder_loki_label_overflow_total',
      help: 'Records sent to Loki without a label from a field because the label already had --loki-label-max-values distinct values, by label (a batch sent again counts again).',
      labelNames: ['label'],
      registers,
    });
    this.batchDuration = new Histogram({
      name: 'log_forwarder_batch_duration_seconds',
      help: 'Time from sending a batch to its acknowledgement, retries included.',
      labelNames: ['sink'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
      registers,
    });
    this.sinkUp = new Gauge({
      name: 'log_forwarder_sink_up',
      help: '1 when the last request to the sink succeeded, 0 while it is failing.',
      labelNames: ['sink'],
      registers,
    });
    this.bufferBytes = new Gauge({
      name: 'log_forwarder_buffer_bytes',
      help: 'Bytes of records read and not yet acknowledged by every sink.',
      registers,
      collect() {
        this.set(probes.bufferBytes());
      },
    });
    this.bufferMaxBytes = new Gauge({
      name: 'log_forwarder_buffer_max_bytes',
      help: 'The buffer limit (--buffer-max-bytes): reading pauses above it.',
      registers,
    });
    this.backpressureSeconds = new Counter({
      name: 'log_forwarder_backpressure_seconds_total',
      help: 'Time reading was paused because the buffer was full.',
      registers,
      collect() {
        const now = probes.pausedSeconds();
        this.inc(Math.max(0, now - pausedSeconds));
        pausedSeconds = now;
      },
    });
    this.filesWatched = new Gauge({
      name: 'log_forwarder_files_watched',
      help: 'Files open and followed (rotated files still being read included).',
      registers,
    });
    this.rotations = new Counter({
      name: 'log_forwarder_rotations_total',
      help: 'Rotations seen, by kind: rename (the name now leads to another file, or none) or truncate; a rotated file found afterwards (missed while busy or stopped) counts too.',
      labelNames: ['kind'],
      registers,
    });
    this.checkpointAge = new Gauge({
      name: 'log_forwarder_checkpoint_age_seconds',
      help: 'Seconds since the positions file was last written.',
      registers,
      collect() {
        this.set(probes.checkpointAgeSeconds());
      },
    });
    this.checkpointWrites = new Counter({
      name: 'log_forwarder_checkpoint_writes_total',
      help: 'Writes of the positions file, by result: ok or error.',
      labelNames: ['result'],
      registers,
    });
  }
}
