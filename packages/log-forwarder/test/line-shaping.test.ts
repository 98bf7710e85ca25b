import { appendFileSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Child } from '@toolkit/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeSink, type SinkRequest, waitUntil } from './helpers/fake-sink.ts';
import { adminUrl, readMetric, startForwarder, waitReady } from './helpers/forwarder.ts';

const children: Child[] = [];
const sinks: FakeSink[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) child.process.kill('SIGKILL');
  for (const sink of sinks.splice(0)) await sink.close();
});

/** A forwarder reading `dir/*.log` from the beginning into one fake sink (HTTP at /ingest unless `sinkArgs`). */
async function setUp(args: string[], prepare: (dir: string) => void, sinkArgs?: (url: string) => string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'lf-shape-'));
  prepare(dir);
  const sink = await FakeSink.start();
  sinks.push(sink);
  const child = startForwarder([
    '--path',
    join(dir, '*.log'),
    '--positions-file',
    join(dir, 'state', 'positions.json'),
    '--read-from',
    'beginning',
    ...(sinkArgs ? sinkArgs(sink.url) : ['--http-url', `${sink.url}/ingest`]),
    '--batch-timeout',
    '50ms',
    '--poll-interval',
    '50ms',
    ...args,
  ]);
  children.push(child);
  await waitReady(child);
  return { dir, sink, child };
}

const ndjson = (requests: SinkRequest[], path: string) =>
  requests
    .filter((request) => request.path.startsWith(path))
    .flatMap((request) => request.body.split('\n').filter(Boolean))
    .map((row) => JSON.parse(row) as Record<string, unknown>);

describe('event time, formats and line rules, end to end', () => {
  it('sends the time of the event to Loki (ns), Elasticsearch (@timestamp) and HTTP; an undated line keeps the read time, counted', async () => {
    const started = Date.now();
    const { sink, child } = await setUp(
      ['--parse', 'json', '--time-key', 'time', '--label', 'app=web'],
      (dir) =>
        writeFileSync(
          join(dir, 'app.log'),
          [
            '{"time":"2024-01-01T00:00:00.123456789Z","msg":"dated"}',
            '{"time":"2024-01-01T01:00:00+01:00","msg":"offset"}',
            '{"time":"not a time","msg":"undated"}',
            'plain line',
            '',
          ].join('\n'),
        ),
      (url) => ['--loki-url', url, '--elasticsearch-url', url, '--http-url', `${url}/ingest`],
    );
    sink.behaviour = (request) =>
      request.path.startsWith('/_bulk')
        ? { status: 200, body: '{"errors":false}' }
        : { status: 200, body: '{}' };
    await waitUntil(() => sink.accepted.length >= 12, 15_000, 'four lines in each of three sinks');

    const loki = sink.requests
      .filter((request) => request.path.startsWith('/loki'))
      .flatMap((request) =>
        (JSON.parse(request.body).streams[0].values as string[][]).map((v) => [v[0]!, v[1]!] as const),
      );
    expect(loki.slice(0, 2)).toEqual([
      [`${Date.UTC(2024, 0, 1) + 123}456789`, '{"time":"2024-01-01T00:00:00.123456789Z","msg":"dated"}'],
      [`${Date.UTC(2024, 0, 1)}000000`, '{"time":"2024-01-01T01:00:00+01:00","msg":"offset"}'],
    ]);
    for (const [ns] of loki.slice(2)) expect(Number(ns.slice(0, -6))).toBeGreaterThanOrEqual(started);

    const documents = ndjson(sink.requests, '/_bulk').filter((_, i) => i % 2 === 1);
    expect(documents.map((document) => document['@timestamp'])[0]).toBe('2024-01-01T00:00:00.123Z');
    expect(documents[1]).toMatchObject({ '@timestamp': '2024-01-01T00:00:00.000Z', msg: 'offset' });
    expect(Date.parse(String(documents[2]!['@timestamp']))).toBeGreaterThanOrEqual(started - 1000);

    const records = ndjson(sink.requests, '/ingest');
    expect(records.map((record) => record.timestamp).slice(0, 2)).toEqual([
      '2024-01-01T00:00:00.123Z',
      '2024-01-01T00:00:00.000Z',
    ]);
    expect(records[3]).toMatchObject({ line: 'plain line', app: 'web' });
    expect(Date.parse(String(records[3]!.timestamp))).toBeGreaterThanOrEqual(started - 1000);
    // The undated JSON line and the plain line: counted once each, whatever the number of sinks.
    expect(await readMetric(await adminUrl(child), 'log_forwarder_time_fallback_total')).toBe(2);
  });

  it('reads logfmt and access-log times with a layout', async () => {
    const { sink } = await setUp(
      ['--parse', 'logfmt', '--time-key', 'at', '--time-format', '%d/%b/%Y:%H:%M:%S %z'],
      (dir) =>
        writeFileSync(join(dir, 'app.log'), 'at="10/Oct/2023:13:55:36 -0700" level=info msg="GET /x"\n'),
    );
    await waitUntil(() => sink.accepted.length >= 1, 15_000, 'the line');
    expect(ndjson(sink.requests, '/ingest')[0]).toMatchObject({
      timestamp: '2023-10-10T20:55:36.000Z',
      level: 'info',
      msg: 'GET /x',
    });
  });

  it('follows CRI files: partial lines joined, stream a field, the runtime time sent, java traces joined', async () => {
    const { dir, sink } = await setUp(['--format', 'cri', '--multiline-preset', 'java'], (d) =>
      writeFileSync(
        join(d, 'pod.log'),
        [
          '2024-01-01T00:00:00.000000001Z stdout P a long line cut ',
          '2024-01-01T00:00:00.000000002Z stdout F by the runtime',
          '2024-01-01T00:00:01Z stderr F 2024-01-01 ERROR failed',
          '2024-01-01T00:00:01Z stderr F java.lang.IllegalStateException: boom',
          '2024-01-01T00:00:01Z stderr F \tat com.example.Foo.bar(Foo.java:10)',
          '2024-01-01T00:00:02Z stdout F 2024-01-01 INFO next',
          '',
        ].join('\n'),
      ),
    );
    await waitUntil(() => sink.accepted.length >= 2, 15_000, 'the first two records');
    // The last record is held by the joiner until the next line or the multiline timeout.
    appendFileSync(join(dir, 'pod.log'), '2024-01-01T00:00:03Z stdout F 2024-01-01 INFO last\n');
    await waitUntil(() => sink.accepted.length >= 4, 15_000, 'all four records');
    const records = ndjson(sink.requests, '/ingest');
    expect(records.map(({ line, stream, timestamp }) => ({ line, stream, timestamp }))).toEqual([
      { line: 'a long line cut by the runtime', stream: 'stdout', timestamp: '2024-01-01T00:00:00.000Z' },
      {
        line: '2024-01-01 ERROR failed\njava.lang.IllegalStateException: boom\n\tat com.example.Foo.bar(Foo.java:10)',
        stream: 'stderr',
        timestamp: '2024-01-01T00:00:01.000Z',
      },
      { line: '2024-01-01 INFO next', stream: 'stdout', timestamp: '2024-01-01T00:00:02.000Z' },
      { line: '2024-01-01 INFO last', stream: 'stdout', timestamp: '2024-01-01T00:00:03.000Z' },
    ]);
  });

  it('follows Docker json-file lines into Loki with the runtime time in nanoseconds', async () => {
    const { sink } = await setUp(
      ['--format', 'docker'],
      (dir) =>
        writeFileSync(
          join(dir, 'c-json.log'),
          '{"log":"part one, ","stream":"stdout","time":"2024-01-01T00:00:00.5Z"}\n{"log":"part two\\n","stream":"stdout","time":"2024-01-01T00:00:00.6Z"}\n',
        ),
      (url) => ['--loki-url', url],
    );
    await waitUntil(() => sink.accepted.length >= 1, 15_000, 'the record');
    const push = JSON.parse(sink.requests[0]!.body);
    // Time and line (the parsed fields follow as structured metadata).
    expect((push.streams[0].values as string[][]).map((v) => v.slice(0, 2))).toEqual([
      [`${Date.UTC(2024, 0, 1) + 500}000000`, 'part one, part two'],
    ]);
  });

  it('filters and redacts before any sink sees a line, counts what it dropped, and skips files older than --ignore-older', async () => {
    const { dir, sink, child } = await setUp(
      [
        '--include-lines',
        'GET|POST',
        '--exclude-lines',
        '/healthz',
        '--redact-preset',
        'bearer-tokens,email',
        '--redact',
        'password\\=\\S+=password=***',
        '--ignore-older',
        '1h',
      ],
      (d) => {
        writeFileSync(
          join(d, 'app.log'),
          [
            'GET /api Authorization: Bearer abcdefghijk.lmnop',
            'GET /healthz 200',
            'startup done',
            'POST /login user=ann@example.com password=hunter2',
            '',
          ].join('\n'),
        );
        writeFileSync(join(d, 'old.log'), 'GET /from-an-old-file\n');
        const dayAgo = new Date(Date.now() - 86_400_000);
        utimesSync(join(d, 'old.log'), dayAgo, dayAgo);
      },
    );
    await waitUntil(() => sink.accepted.length >= 2, 15_000, 'the two kept lines');
    // The old file is followed from its end: a line written now is read.
    appendFileSync(join(dir, 'old.log'), 'GET /new-in-old-file\n');
    await waitUntil(() => sink.accepted.length >= 3, 15_000, 'the line added to the old file');
    expect(sink.accepted).toEqual([
      'GET /api Authorization: Bearer [REDACTED]',
      'POST /login user=[REDACTED] password=***',
      'GET /new-in-old-file',
    ]);
    const metrics = await (await fetch(`${await adminUrl(child)}/metrics`)).text();
    expect(metrics).toContain('log_forwarder_lines_filtered_total{reason="not_included"} 1');
    expect(metrics).toContain('log_forwarder_lines_filtered_total{reason="excluded"} 1');
  });
});
