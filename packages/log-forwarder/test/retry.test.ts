import { describe, expect, it } from 'vitest';
import { classifyStatus, maxRetryAfterMs, parseRetryAfter } from '../src/sinks/http/http-status.ts';

describe('retries', () => {
  it('reads Retry-After as seconds or as a date, capped', () => {
    const now = Date.parse('2026-05-01T10:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('Fri, 01 May 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Fri, 01 May 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('999999', now)).toBe(maxRetryAfterMs);
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });

  it('retries 408, 429 and 5xx; drops the other 4xx', () => {
    expect([200, 204, 408, 429, 500, 503, 400, 401, 404, 413].map(classifyStatus)).toEqual([
      'ok',
      'ok',
      'retry',
      'retry',
      'retry',
      'retry',
      'drop',
      'drop',
      'drop',
      'drop',
    ]);
  });
});
