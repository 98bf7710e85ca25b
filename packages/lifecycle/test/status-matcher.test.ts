import { describe, expect, it } from 'vitest';
import { parseStatusMatcher } from '../src/index.ts';

describe('parseStatusMatcher', () => {
  it('matches codes and classes', () => {
    const accept = parseStatusMatcher(['2xx', '304'])!;
    expect([200, 204, 304, 301, 500].map(accept)).toEqual([true, true, true, false, false]);
    expect(parseStatusMatcher(['ok'])).toBeUndefined();
  });

  it('matches notification statuses by code or class', () => {
    const accept = parseStatusMatcher(['204', '3xx'])!;
    expect([200, 204, 302, 500].map(accept)).toEqual([false, true, true, false]);
    expect(parseStatusMatcher(['20x'])).toBeUndefined();
  });

  it('refuses an empty list', () => {
    expect(parseStatusMatcher([])).toBeUndefined();
  });
});
