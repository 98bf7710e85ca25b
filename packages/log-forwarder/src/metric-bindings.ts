import type { RunnerMetrics } from './delivery/deliver-batch.ts';
import type { ForwarderMetrics } from './metrics.ts';
import type { ShapeCounts } from './reading/record-shaper.ts';
import type { TrackedFile } from './reading/tracked-file.ts';

/** A sink runner's metrics, bound to the sink's label. */
export function bindRunnerMetrics(metrics: ForwarderMetrics, sink: string): RunnerMetrics {
  const labels = { sink };
  metrics.sinkUp.set(labels, 1);
  return {
    sent: (count) => metrics.recordsSent.inc(labels, count),
    failed: (count) => metrics.recordsFailed.inc(labels, count),
    rejected: (count) => metrics.recordsRejected.inc(labels, count),
    retried: (count) => metrics.recordsRetried.inc(labels, count),
    batchSeconds: (seconds) => metrics.batchDuration.observe(labels, seconds),
    up: (isUp) => metrics.sinkUp.set(labels, isUp ? 1 : 0),
  };
}

/**
 * Counts a read of a file: lines and bytes by file, the long lines its splitter cut or skipped, and
 * what the record rules filtered out or could not date.
 */
export function countRead(
  metrics: ForwarderMetrics,
  file: TrackedFile,
  lines: number,
  bytes: number,
  shaped?: ShapeCounts,
): void {
  const labels = { path: file.logicalPath };
  metrics.linesRead.inc(labels, lines);
  metrics.bytesRead.inc(labels, bytes);
  const counts = file.splitter.counts;
  if (counts.truncated > 0) metrics.longLines.inc({ action: 'truncated' }, counts.truncated);
  if (counts.skipped > 0) metrics.longLines.inc({ action: 'skipped' }, counts.skipped);
  counts.truncated = 0;
  counts.skipped = 0;
  if (!shaped) return;
  if (shaped.notIncluded > 0) metrics.linesFiltered.inc({ reason: 'not_included' }, shaped.notIncluded);
  if (shaped.excluded > 0) metrics.linesFiltered.inc({ reason: 'excluded' }, shaped.excluded);
  if (shaped.timeFallback > 0) metrics.timeFallback.inc(shaped.timeFallback);
  shaped.notIncluded = 0;
  shaped.excluded = 0;
  shaped.timeFallback = 0;
}
