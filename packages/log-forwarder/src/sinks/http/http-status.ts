// What an HTTP sink's answer means for the batch: kept, retried (and when), or dropped.

/** A sink's Retry-After is honoured up to this, so a bad header cannot park a batch for days. */
export const maxRetryAfterMs = 300_000;

/** Milliseconds from a Retry-After header: delay seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed) * 1000, maxRetryAfterMs);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(0, date - now), maxRetryAfterMs);
}

/** `retry`: the sink may take it later (408, 429, 5xx); `drop`: it never will (other 4xx). */
export function classifyStatus(status: number): 'ok' | 'retry' | 'drop' {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  return 'drop';
}
