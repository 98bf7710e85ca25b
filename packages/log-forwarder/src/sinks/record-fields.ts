import type { RecordBlock } from '../records/record.ts';

/**
 * The time of record `i` in Unix milliseconds, as the sinks send it: the time it was read. The one
 * place to change when records carry the time of the event from the line.
 */
export function recordTimeMs(block: RecordBlock, i: number): number {
  return block.time;
}

/** A parsed field's value as text, for a Loki label or structured metadata: objects and arrays as JSON. */
export function fieldText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return String(value);
  return JSON.stringify(value);
}
