import type { SinkSpec } from './sink-spec.ts';
import { ElasticsearchSink } from './sinks/http/elasticsearch-sink.ts';
import { HttpSink } from './sinks/http/http-sink.ts';
import { LokiSink } from './sinks/http/loki-sink.ts';
import { OtlpSink } from './sinks/http/otlp-sink.ts';
import type { Sink } from './sinks/sink.ts';
import { StdoutSink } from './sinks/stdout-sink.ts';

export interface SinkDefaults {
  labels: Record<string, string>;
  gzip: boolean;
  timeoutMs: number;
  /** Counts a record left without a Loki label from a field (its value past --loki-label-max-values). */
  lokiLabelOverflow?: (label: string) => void;
}

export function buildSink(spec: SinkSpec, defaults: SinkDefaults): Sink {
  const { labels, gzip, timeoutMs } = defaults;
  switch (spec.kind) {
    case 'stdout':
      return new StdoutSink(spec.format, labels);
    case 'http':
      return new HttpSink({ target: spec.target, format: spec.format, labels, gzip, timeoutMs });
    case 'loki':
      return new LokiSink({
        target: spec.target,
        labels,
        gzip,
        timeoutMs,
        labelFrom: spec.labelFrom,
        structuredMetadata: spec.structuredMetadata,
        maxLabelValues: spec.maxLabelValues,
        ...(defaults.lokiLabelOverflow ? { labelOverflow: defaults.lokiLabelOverflow } : {}),
      });
    case 'otlp':
      return new OtlpSink({ target: spec.target, encoding: spec.encoding, labels, gzip, timeoutMs });
    case 'elasticsearch':
      return new ElasticsearchSink({
        target: spec.target,
        index: spec.index,
        action: spec.action,
        labels,
        gzip,
        timeoutMs,
      });
  }
}
