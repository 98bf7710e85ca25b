import { describe, expect, it } from 'vitest';
import { type LineLimits, LineSplitter } from '../src/reading/line-splitter.ts';
import { MultilineJoiner } from '../src/reading/multiline.ts';

type Line = [text: string, start: number, end: number];

/** Feeds `chunks` (as they would be read from a file) and collects the lines with their offsets. */
function split(
  chunks: (string | Buffer)[],
  limits: LineLimits = { maxLineBytes: 1024, longLines: 'truncate' },
) {
  const splitter = new LineSplitter(limits);
  const lines: Line[] = [];
  let offset = 0;
  for (const chunk of chunks) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    splitter.push(bytes, bytes.length, offset, (data, from, to, start, end) =>
      lines.push([data.toString('utf8', from, to), start, end]),
    );
    offset += bytes.length;
  }
  return { lines, splitter, offset };
}

describe('LineSplitter', () => {
  it('splits on newlines with the offsets of each line, dropping a \\r before the newline', () => {
    const { lines, splitter } = split(['one\ntwo\r\n\nthree\n']);
    expect(lines).toEqual([
      ['one', 0, 4],
      ['two', 4, 9],
      ['', 9, 10],
      ['three', 10, 16],
    ]);
    expect(splitter.heldFrom).toBeUndefined();
  });

  it('holds a partial last line across reads until its newline, and flushes it on demand', () => {
    const { lines, splitter, offset } = split(['first\npar', 'tial', ' line\nlast without newline']);
    expect(lines).toEqual([
      ['first', 0, 6],
      ['partial line', 6, 19],
    ]);
    expect(splitter.heldFrom).toBe(19);
    const flushed: Line[] = [];
    splitter.flush(offset, (data, from, to, start, end) =>
      flushed.push([data.toString('utf8', from, to), start, end]),
    );
    expect(flushed).toEqual([['last without newline', 19, offset]]);
    expect(splitter.heldFrom).toBeUndefined();
  });

  it('cuts a long line at the limit (never inside a UTF-8 character) and drops the rest', () => {
    const long = `${'a'.repeat(9)}é${'b'.repeat(20)}`;
    const { lines, splitter } = split([long.slice(0, 5), `${long.slice(5)}\nnext\n`], {
      maxLineBytes: 10,
      longLines: 'truncate',
    });
    expect(lines.map((line) => line[0])).toEqual(['a'.repeat(9), 'next']);
    expect(splitter.counts).toEqual({ truncated: 1, skipped: 0 });
  });

  it('skips a long line whole when asked, even one longer than many reads', () => {
    const { lines, splitter } = split(['ok\n', 'x'.repeat(30), 'x'.repeat(30), 'x\nafter\n'], {
      maxLineBytes: 16,
      longLines: 'skip',
    });
    expect(lines.map((line) => line[0])).toEqual(['ok', 'after']);
    expect(splitter.counts).toEqual({ truncated: 0, skipped: 1 });
  });
});

describe('MultilineJoiner', () => {
  it('joins the lines after a start line, and sends a record when the next starts or on flush', () => {
    const joiner = new MultilineJoiner((line) => /^\d{4}-/.test(line), 1000);
    const records: Line[] = [];
    const onRecord = (text: string, start: number, end: number) => records.push([text, start, end]);
    const input = ['2026-05-01 error', '  at a()', '  at b()', '2026-05-01 next'];
    let offset = 0;
    for (const line of input) {
      joiner.push(line, offset, offset + line.length + 1, onRecord);
      offset += line.length + 1;
    }
    expect(records).toEqual([['2026-05-01 error\n  at a()\n  at b()', 0, 35]]);
    expect(joiner.heldFrom).toBe(35);
    joiner.flush(onRecord);
    expect(records[1]).toEqual(['2026-05-01 next', 35, 51]);
  });

  it('sends a record that reaches the size limit', () => {
    const joiner = new MultilineJoiner((line) => line.startsWith('start'), 20);
    const records: string[] = [];
    for (const line of ['start', 'continued 1', 'continued 2'])
      joiner.push(line, 0, 0, (text) => records.push(text));
    expect(records).toEqual(['start\ncontinued 1']);
  });
});
