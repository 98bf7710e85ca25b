import type { HttpTarget } from './sinks/http/http-target.ts';

/** Which sink to build, and how: what the options asked for. */
export type SinkSpec =
  | { kind: 'stdout'; format: 'line' | 'json' }
  | { kind: 'http'; target: HttpTarget; format: 'ndjson' | 'json' }
  | { kind: 'loki'; target: HttpTarget }
  | { kind: 'elasticsearch'; target: HttpTarget; index: string; action: 'create' | 'index' };
