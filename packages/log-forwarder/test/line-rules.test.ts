import { parseOptions, UsageError } from '@toolkit/lifecycle';
import { describe, expect, it } from 'vitest';
import { options } from '../src/options.ts';
import { ContainerLineDecoder, type LineMeta } from '../src/reading/container-lines.ts';
import { MultilineJoiner, multilinePresets } from '../src/reading/multiline.ts';
import { parseLogfmt } from '../src/reading/parse-line.ts';
import { RecordShaper } from '../src/reading/record-shaper.ts';
import { redact, redactionPresets } from '../src/reading/redaction.ts';
import { createTimeReader, parseRfc3339 } from '../src/records/event-time.ts';
import { deriveSettings } from '../src/settings.ts';

const base = ['--path', '/tmp/x.log', '--stdout'];
const settingsOf = (args: string[]) =>
  deriveSettings(parseOptions('log-forwarder', options, [...base, ...args], {}).config);

describe('event time', () => {
  it('reads RFC 3339 with its offset and nanoseconds', () => {
    expect(parseRfc3339('2024-01-01T00:00:00.123456789Z')).toEqual({
      ms: Date.UTC(2024, 0, 1) + 123,
      ns: 456_789,
    });
    expect(parseRfc3339('2024-01-01T02:30:00+02:30')).toEqual({ ms: Date.UTC(2024, 0, 1), ns: 0 });
    expect(parseRfc3339('2024-01-01 10:00:00,5')).toEqual({ ms: Date.UTC(2024, 0, 1, 10) + 500, ns: 0 });
    for (const bad of ['2024-13-01T00:00:00Z', 'yesterday', '2024-01-01', '2024-01-01T25:00:00Z']) {
      expect(parseRfc3339(bad), bad).toBeUndefined();
    }
  });

  it('reads each time whole when times share their date and second (the second is remembered)', () => {
    const second = Date.UTC(2026, 4, 1, 10);
    expect(parseRfc3339('2026-05-01T10:00:00.1Z')).toEqual({ ms: second + 100, ns: 0 });
    expect(parseRfc3339('2026-05-01T10:00:00.000000007Z')).toEqual({ ms: second, ns: 7 });
    expect(parseRfc3339('2026-05-01T10:00:00-01:00')).toEqual({ ms: second + 3_600_000, ns: 0 });
    expect(parseRfc3339('2026-05-01T10:00:00+0130')).toEqual({ ms: second - 5_400_000, ns: 0 });
    expect(parseRfc3339('2026-05-01T10:00:00')).toEqual({ ms: second, ns: 0 });
    // The same second with a bad ending is still refused, and a new second read afresh.
    for (const bad of [
      '2026-05-01T10:00:00.',
      '2026-05-01T10:00:00.1234567890Z',
      '2026-05-01T10:00:00Zulu',
      '2026-05-01T10:00:00+01:0',
      '2026-05-01T10:00:00 ',
      '2026-05-01T10:00:0',
    ]) {
      expect(parseRfc3339(bad), bad).toBeUndefined();
    }
    expect(parseRfc3339('2026-05-01t10:00:01,5z')).toEqual({ ms: second + 1500, ns: 0 });
    expect(parseRfc3339('2026-05-01T10:00:60Z')).toEqual({ ms: second + 60_000, ns: 0 });
    expect(parseRfc3339('2026-05-01T10:00:61Z')).toBeUndefined();
  });

  it('reads epoch seconds, milliseconds and nanoseconds, as numbers or strings', () => {
    const epoch = createTimeReader('epoch');
    expect(epoch(1_700_000_000)).toEqual({ ms: 1_700_000_000_000, ns: 0 });
    expect(epoch('1700000000.000250')).toEqual({ ms: 1_700_000_000_000, ns: 250_000 });
    expect(createTimeReader('epoch-ms')(1_700_000_000_123)).toEqual({ ms: 1_700_000_000_123, ns: 0 });
    expect(createTimeReader('epoch-ms')('1700000000123.5')).toEqual({ ms: 1_700_000_000_123, ns: 500_000 });
    // Past 2^53: the digits are split, not read as one number.
    expect(createTimeReader('epoch-ns')('1700000000123456789')).toEqual({
      ms: 1_700_000_000_123,
      ns: 456_789,
    });
    expect(epoch('soon')).toBeUndefined();
    expect(epoch(true)).toBeUndefined();
  });

  it('reads strftime-like layouts: access logs, comma fractions, syslog without a year, 12-hour clocks', () => {
    expect(createTimeReader('%d/%b/%Y:%H:%M:%S %z')('10/Oct/2023:13:55:36 -0700')).toEqual({
      ms: Date.UTC(2023, 9, 10, 20, 55, 36),
      ns: 0,
    });
    expect(createTimeReader('%Y-%m-%d %H:%M:%S,%f')('2023-10-10 13:55:36,042')).toEqual({
      ms: Date.UTC(2023, 9, 10, 13, 55, 36, 42),
      ns: 0,
    });
    const syslog = createTimeReader('%b %e %H:%M:%S')('Jan  5 08:00:00');
    expect(new Date(syslog!.ms).toISOString().slice(4)).toBe('-01-05T08:00:00.000Z');
    expect(createTimeReader('%m/%d/%Y %I:%M:%S %p')('03/04/2024 01:02:03 PM')?.ms).toBe(
      Date.UTC(2024, 2, 4, 13, 2, 3),
    );
    expect(createTimeReader('%d/%b/%Y:%H:%M:%S %z')('10/Foo/2023:13:55:36 -0700')).toBeUndefined();
    expect(() => createTimeReader('%Q')).toThrow(/unknown directive %Q/);
    expect(() => createTimeReader('iso')).toThrow(/expected rfc3339/);
  });
});

describe('logfmt', () => {
  it('reads bare and quoted values, escapes, and keys without a value', () => {
    expect(parseLogfmt('level=info msg="user \\"bob\\" logged in" took=12ms flag path=/a=b')).toEqual({
      level: 'info',
      msg: 'user "bob" logged in',
      took: '12ms',
      flag: '',
      path: '/a=b',
    });
    expect(parseLogfmt('key= other="" ')).toEqual({ key: '', other: '' });
    expect(parseLogfmt('just words here')).toBeUndefined();
    expect(parseLogfmt('')).toBeUndefined();
  });
});

describe('container lines', () => {
  const decode = (format: 'cri' | 'docker', lines: string[]) => {
    const decoder = new ContainerLineDecoder(format, 1000);
    const out: [string, number, number, LineMeta | undefined][] = [];
    let offset = 0;
    for (const line of lines) {
      decoder.push(line, offset, offset + line.length + 1, (...message) => out.push(message));
      offset += line.length + 1;
    }
    return { out, decoder };
  };

  it('CRI: joins P lines to the next F line, keeps stream and time, passes other lines on', () => {
    const lines = [
      '2024-01-01T00:00:00.123456789Z stdout P first ',
      '2024-01-01T00:00:01Z stdout P second ',
      '2024-01-01T00:00:02Z stdout F third',
      '2024-01-01T00:00:03Z stderr F oops',
      '2024-01-01T00:00:04Z stdout F ',
      'not a cri line',
    ];
    const { out } = decode('cri', lines);
    const end0 = lines[0]!.length + lines[1]!.length + lines[2]!.length + 3;
    expect(out[0]).toEqual([
      'first second third',
      0,
      end0,
      { stream: 'stdout', time: { ms: Date.UTC(2024, 0, 1) + 123, ns: 456_789 } },
    ]);
    expect(out.slice(1).map(([text, , , meta]) => [text, meta?.stream])).toEqual([
      ['oops', 'stderr'],
      ['', 'stdout'],
      ['not a cri line', undefined],
    ]);
  });

  it('CRI: a partial line held at the end of the file counts as held, and flushes as it is', () => {
    const { out, decoder } = decode('cri', [
      '2024-01-01T00:00:00Z stdout F done',
      '2024-01-01T00:00:01Z stdout P half',
    ]);
    expect(out).toHaveLength(1);
    expect(decoder.heldFrom).toBe(35);
    decoder.flush((...message) => out.push(message));
    expect(out[1]?.[0]).toBe('half');
    expect(decoder.heldFrom).toBeUndefined();
  });

  it('Docker: joins lines without a trailing newline, drops the newline, keeps stream and time', () => {
    const { out } = decode('docker', [
      '{"log":"long ","stream":"stderr","time":"2024-01-01T00:00:00.5Z"}',
      '{"log":"line\\n","stream":"stderr","time":"2024-01-01T00:00:01Z"}',
      '{"log":"say \\"hi\\"\\r\\n","stream":"stdout","time":"2024-01-01T00:00:02Z"}',
      '{"not":"docker"}',
    ]);
    expect(out.map(([text, , , meta]) => [text, meta?.stream, meta?.time?.ms])).toEqual([
      ['long line', 'stderr', Date.UTC(2024, 0, 1) + 500],
      ['say "hi"', 'stdout', Date.UTC(2024, 0, 1, 0, 0, 2)],
      ['{"not":"docker"}', undefined, undefined],
    ]);
  });
});

describe('multiline presets', () => {
  const join = (preset: keyof typeof multilinePresets, lines: string[]) => {
    const continues = multilinePresets[preset];
    const joiner = new MultilineJoiner((line) => !continues.test(line), 100_000);
    const records: string[] = [];
    for (const line of lines) joiner.push(line, 0, 0, (text) => records.push(text));
    joiner.flush((text) => records.push(text));
    return records;
  };

  it('java: frames, causes and the exception line join the line logged before them', () => {
    const trace = [
      '2024-01-01 ERROR request failed',
      'java.lang.IllegalStateException: boom',
      '\tat com.example.Foo.bar(Foo.java:10)',
      'Caused by: java.io.IOException: disk',
      '\t... 5 more',
    ];
    expect(join('java', [...trace, '2024-01-01 INFO next'])).toEqual([
      trace.join('\n'),
      '2024-01-01 INFO next',
    ]);
  });

  it('python: a traceback and its closing exception line join the line logged before them', () => {
    const trace = [
      'ERROR:root:failed',
      'Traceback (most recent call last):',
      '  File "app.py", line 3, in <module>',
      '    main()',
      'ValueError: bad value',
    ];
    expect(join('python', [...trace, 'INFO:root:next'])).toEqual([trace.join('\n'), 'INFO:root:next']);
  });

  it('go: a panic and its goroutine dump are one record', () => {
    const trace = [
      'panic: runtime error: index out of range [5] with length 3',
      '',
      'goroutine 1 [running]:',
      'main.main()',
      '\t/tmp/x.go:8 +0x1d',
      'exit status 2',
    ];
    expect(join('go', ['level=info msg=start', ...trace, 'level=info msg=next'])).toEqual([
      'level=info msg=start',
      trace.join('\n'),
      'level=info msg=next',
    ]);
  });
});

describe('redaction', () => {
  const all = Object.values(redactionPresets);
  it.each([
    ['Authorization: Bearer eyJhbGciOi.J9.abc-_x=', 'Authorization: Bearer [REDACTED]'],
    ['token bearer=abc123def', 'token bearer=[REDACTED]'],
    ['GET https://bob:s3cret@db.example.com/x', 'GET https://[REDACTED]@db.example.com/x'],
    ['mail from alice.smith+x@mail.example.org ok', 'mail from [REDACTED] ok'],
    ['card 4111 1111 1111 1111 charged', 'card [REDACTED] charged'],
    ['card 4111-1111-1111-1111', 'card [REDACTED]'],
    ['pan=5500005555555559;', 'pan=[REDACTED];'],
  ])('changes %j', (line, expected) => {
    expect(redact(line, all)).toBe(expected);
  });

  it.each([
    'GET /healthz 200 12ms',
    'a bearer of bad news',
    'https://example.com/path?user=bob',
    'user@localhost said hi',
    'order 4111111111111112 shipped',
    'ts=1700000000123456789',
    'trace-id 2024-01-01-1234-5678-9012',
  ])('leaves %j as it is', (line) => {
    expect(redact(line, all)).toBe(line);
  });

  it('applies --redact with a replacement and groups, and \\= for a = of the expression', () => {
    const { recordRules } = settingsOf([
      '--redact',
      'password\\=\\S+=password=***',
      '--redact',
      '(session)-\\d+=$1-N',
    ]);
    const shaper = new RecordShaper(recordRules!);
    expect(shaper.shape('login password=hunter2 session-42', undefined)).toBe(true);
    expect(shaper.text).toBe('login password=*** session-N');
  });
});

describe('record rules', () => {
  it('filters with include then exclude, counting each, and dates from the time key', () => {
    const { recordRules } = settingsOf([
      '--parse',
      'json',
      '--time-key',
      'ts',
      '--include-lines',
      'level',
      '--exclude-lines',
      '"debug"',
    ]);
    const shaper = new RecordShaper(recordRules!);
    expect(shaper.shape('no fields here', undefined)).toBe(false);
    expect(shaper.shape('{"level":"debug"}', undefined)).toBe(false);
    expect(shaper.shape('{"level":"info","ts":"2024-01-01T00:00:00Z"}', undefined)).toBe(true);
    expect(shaper.time).toEqual({ ms: Date.UTC(2024, 0, 1), ns: 0 });
    expect(shaper.shape('{"level":"info","ts":"later"}', undefined)).toBe(true);
    expect(shaper.time).toBeUndefined();
    expect(shaper.counts).toEqual({ notIncluded: 1, excluded: 1, timeFallback: 1 });
  });

  it('gives container records their stream: on the parsed fields, in place of a stream field of the line', () => {
    const plain = new RecordShaper(settingsOf(['--format', 'cri', '--include-lines', '.']).recordRules!);
    const meta: LineMeta = { stream: 'stdout', time: undefined };
    expect(plain.shape('first', meta)).toBe(true);
    const first = plain.fields;
    expect(first).toEqual({ stream: 'stdout' });
    expect(plain.shape('second', { stream: 'stderr', time: undefined })).toBe(true);
    expect(plain.fields).toEqual({ stream: 'stderr' });
    const parsed = new RecordShaper(settingsOf(['--format', 'cri', '--parse', 'json']).recordRules!);
    expect(parsed.shape('{"stream":"mine","level":"info"}', meta)).toBe(true);
    expect(Object.entries(parsed.fields!)).toEqual([
      ['stream', 'stdout'],
      ['level', 'info'],
    ]);
    expect(parsed.shape('{"level":"warn"}', { stream: 'stderr', time: undefined })).toBe(true);
    expect(Object.entries(parsed.fields!)).toEqual([
      ['level', 'warn'],
      ['stream', 'stderr'],
    ]);
    // Fields shared by the records of a stream are never changed by a later record.
    expect(first).toEqual({ stream: 'stdout' });
  });

  it('sets no rule, so lines stay bytes, when none of the options is given', () => {
    expect(settingsOf([]).recordRules).toBeUndefined();
    expect(settingsOf([]).format).toBeUndefined();
  });

  it('keeps a regular expression with commas whole', () => {
    const { recordRules } = settingsOf(['--include-lines', 'a{1,3}b']);
    expect(recordRules!.include.map(String)).toEqual(['/a{1,3}b/']);
  });

  it.each([
    [['--time-key', 'ts'], '--time-key needs --parse'],
    [['--parse', 'json', '--time-key', 'ts', '--time-format', 'yyyy-mm-dd'], '--time-format: invalid value'],
    [['--parse', 'json', '--time-key', 'ts', '--time-format', '%Y-%q'], 'unknown directive %q'],
    [['--time-format', 'epoch'], '--time-format needs --time-key'],
    [['--include-lines', '(unclosed'], '--include-lines: invalid regular expression'],
    [['--exclude-lines', '[z-a]'], '--exclude-lines: invalid regular expression'],
    [['--redact', '(x'], '--redact: invalid value "(x"'],
    [['--redact-preset', 'emails'], '--redact-preset: unknown preset "emails"'],
    [['--multiline-preset', 'java', '--multiline-start', '^\\d'], '--multiline-preset: cannot be used with'],
  ])('refuses %j with a usage error naming the option', (args, message) => {
    expect(() => settingsOf(args)).toThrow(UsageError);
    expect(() => settingsOf(args)).toThrow(message);
  });

  it('refuses an unknown --format or --multiline-preset', () => {
    expect(() => settingsOf(['--format', 'syslog'])).toThrow('--format: invalid value "syslog"');
    expect(() => settingsOf(['--multiline-preset', 'ruby'])).toThrow('--multiline-preset: invalid value');
  });
});
