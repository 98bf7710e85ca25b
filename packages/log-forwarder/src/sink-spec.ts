import type { HttpTarget } from './sinks/http/http-target.ts';
import type { LabelField } from './sinks/http/loki-streams.ts';

/** Which sink to build, and how: what the options asked for. */
export type SinkSpec =
  | { kind: 'stdout'; format: 'line' | 'json' }
  | { kind: 'http'; target: HttpTarget; format: 'ndjson' | 'json' }
  | {
      kind: 'loki';
      target: HttpTarget;
      labelFrom: LabelField[];
      structuredMetadata: boolean;
      maxLabelValues: number;
    }
  | { kind: 'elasticsearch'; target: HttpTarget; index: string; action: 'create' | 'index' }
  | { kind: 'otlp'; target: HttpTarget; encoding: 'protobuf' | 'json' };
