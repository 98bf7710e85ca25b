import { describe, expect, it } from 'vitest';
import { createLineParser } from '../src/reading/parse-line.ts';

describe('line parsers', () => {
  it('parses a JSON object line into fields, and leaves other lines alone', () => {
    const parse = createLineParser('json', undefined)!;
    expect(parse('{"level":"warn","n":3}')).toEqual({ level: 'warn', n: 3 });
    expect(parse('[1,2]')).toBeUndefined();
    expect(parse('{broken')).toBeUndefined();
    expect(parse('plain text')).toBeUndefined();
  });

  it('parses by the named groups of a regular expression', () => {
    const parse = createLineParser(
      'regex',
      /^(?<ip>\S+) \S+ \S+ \[(?<time>[^\]]+)\] "(?<method>\w+) (?<path>\S+)[^"]*" (?<status>\d+)/,
    )!;
    expect(parse('10.0.0.1 - - [01/May/2026:10:00:00 +0000] "GET /api HTTP/1.1" 200 123')).toEqual({
      ip: '10.0.0.1',
      time: '01/May/2026:10:00:00 +0000',
      method: 'GET',
      path: '/api',
      status: '200',
    });
    expect(parse('not an access line')).toBeUndefined();
    expect(createLineParser('none', undefined)).toBeUndefined();
  });
});
