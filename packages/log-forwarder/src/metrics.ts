import { metricsOn } from '@toolkit/lifecycle';
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';

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
    const probes = this.probes;
    const { counter, gauge, histogram } = metricsOn(registry);
    this.linesRead = counter(
      'log_forwarder_lines_read_total',
      'Lines read, by file (the name the app writes to).',
      ['path'],
    );
    this.bytesRead = counter('log_forwarder_bytes_read_total', 'Bytes read, by file.', ['path']);
    this.longLines = counter(
      'log_forwarder_long_lines_total',
      'Lines longer than --max-line-bytes, by action: truncated or skipped.',
      ['action'],
    );
    this.linesFiltered = counter(
      'log_forwarder_lines_filtered_total',
      'Records not sent because of --include-lines (reason not_included) or --exclude-lines (excluded).',
      ['reason'],
    );
    this.timeFallback = counter(
      'log_forwarder_time_fallback_total',
      'Records sent with the time they were read because their --time-key field was missing or did not parse as --time-format.',
    );
    this.recordsSent = counter('log_forwarder_records_sent_total', 'Records a sink acknowledged.', ['sink']);
    this.recordsFailed = counter(
      'log_forwarder_records_failed_total',
      'Records a sink refused for good (a 4xx other than 408 and 429, or the retry limit): dropped.',
      ['sink'],
    );
    this.recordsRejected = counter(
      'log_forwarder_records_rejected_total',
      'Records a sink took the request for but rejected (an OTLP partial_success): counted in records_sent_total too, not sent again.',
      ['sink'],
    );
    this.recordsRetried = counter(
      'log_forwarder_records_retried_total',
      'Records sent again after a sink error or timeout.',
      ['sink'],
    );
    this.lokiLabelOverflow = counter(
      'log_forwarder_loki_label_overflow_total',
      'Records sent to Loki without a label from a field because the label already had --loki-label-max-values distinct values, by label (a batch sent again counts again).',
      ['label'],
    );
    this.batchDuration = histogram(
      'log_forwarder_batch_duration_seconds',
      'Time from sending a batch to its acknowledgement, retries included.',
      [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
      ['sink'],
    );
    this.sinkUp = gauge(
      'log_forwarder_sink_up',
      '1 when the last request to the sink succeeded, 0 while it is failing.',
      ['sink'],
    );
    this.bufferBytes = metricsOn(registry, () => this.bufferBytes.set(probes.bufferBytes())).gauge(
      'log_forwarder_buffer_bytes',
      'Bytes of records read and not yet acknowledged by every sink.',
    );
    this.bufferMaxBytes = gauge(
      'log_forwarder_buffer_max_bytes',
      'The buffer limit (--buffer-max-bytes): reading pauses above it.',
    );
    let pausedSeconds = 0;
    this.backpressureSeconds = metricsOn(registry, () => {
      const now = probes.pausedSeconds();
      this.backpressureSeconds.inc(Math.max(0, now - pausedSeconds));
      pausedSeconds = now;
    }).counter(
      'log_forwarder_backpressure_seconds_total',
      'Time reading was paused because the buffer was full.',
    );
    this.filesWatched = gauge(
      'log_forwarder_files_watched',
      'Files open and followed (rotated files still being read included).',
    );
    this.rotations = counter(
      'log_forwarder_rotations_total',
      'Rotations seen, by kind: rename (the name now leads to another file, or none) or truncate; a rotated file found afterwards (missed while busy or stopped) counts too.',
      ['kind'],
    );
    this.checkpointAge = metricsOn(registry, () =>
      this.checkpointAge.set(probes.checkpointAgeSeconds()),
    ).gauge('log_forwarder_checkpoint_age_seconds', 'Seconds since the positions file was last written.');
    this.checkpointWrites = counter(
      'log_forwarder_checkpoint_writes_total',
      'Writes of the positions file, by result: ok or error.',
      ['result'],
    );
  }
}
