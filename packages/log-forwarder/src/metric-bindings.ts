import type { RunnerMetrics } from './delivery/deliver-batch.ts';
import type { ForwarderMetrics } from './metrics.ts';
import type { TrackedFile } from './reading/tracked-file.ts';

/** A sink runner's metrics, bound to the sink's label. */
export function bindRunnerMetrics(metrics: ForwarderMetrics, sink: string): RunnerMetrics {
  const labels = { sink };
  metrics.sinkUp.set(labels, 1);
  return {
    sent: (count) => metrics.recordsSent.inc(labels, count),
    failed: (count) => metrics.recordsFailed.inc(labels, count),
    retried: (count) => metrics.recordsRetried.inc(labels, count),
    batchSeconds: (seconds) => metrics.batchDuration.observe(labels, seconds),
    up: (isUp) => metrics.sinkUp.set(labels, isUp ? 1 : 0),
  };
}

/** Counts a read of a file: lines and bytes by file, and the long lines its splitter cut or skipped. */
export function countRead(metrics: ForwarderMetrics, file: TrackedFile, lines: number, bytes: number): void {
  const labels = { path: file.logicalPath };
  metrics.linesRead.inc(labels, lines);
  metrics.bytesRead.inc(labels, bytes);
  const counts = file.splitter.counts;
  if (counts.truncated > 0) metrics.longLines.inc({ action: 'truncated' }, counts.truncated);
  if (counts.skipped > 0) metrics.longLines.inc({ action: 'skipped' }, counts.skipped);
  counts.truncated = 0;
  counts.skipped = 0;
}
