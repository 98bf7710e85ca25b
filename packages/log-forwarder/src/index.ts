export { runLogForwarder } from './app.ts';
export { definition } from './definition.ts';
export type { RetryPolicy } from './delivery/retry.ts';
export { SinkRunner } from './delivery/sink-runner.ts';
export { compareHead, fingerprintOf } from './disk/file-identity.ts';
export { createPathFilter, globBase, globDepth } from './disk/glob.ts';
export { Forwarder, type ForwarderOptions } from './forwarder.ts';
export { ForwarderMetrics } from './metrics.ts';
export { options } from './options.ts';
export {
  loadPositions,
  type PositionsEntry,
  type SavedPositions,
  savePositions,
} from './positions/positions-file.ts';
export { LineSplitter } from './reading/line-splitter.ts';
export { MemoryBudget } from './reading/memory-budget.ts';
export { MultilineJoiner } from './reading/multiline.ts';
export { createLineParser } from './reading/parse-line.ts';
export { AckLedger, type Segment } from './records/ack-ledger.ts';
export { type LogSource, RecordBlock, type RecordSlice, settleRecords } from './records/record.ts';
export { deriveSettings } from './settings.ts';
export { ElasticsearchSink } from './sinks/http/elasticsearch-sink.ts';
export { HttpSink } from './sinks/http/http-sink.ts';
export { classifyStatus, parseRetryAfter } from './sinks/http/http-status.ts';
export { LokiSink } from './sinks/http/loki-sink.ts';
export type { SendOutcome, Sink } from './sinks/sink.ts';
export { StdoutSink } from './sinks/stdout-sink.ts';
