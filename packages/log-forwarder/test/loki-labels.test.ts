import { afterEach, describe, expect, it } from 'vitest';
import { parseJsonLine } from '../src/reading/parse-line.ts';
import { ElasticsearchSink } from '../src/sinks/http/elasticsearch-sink.ts';
import { parseHttpTarget } from '../src/sinks/http/http-target.ts';
import { LokiSink, type LokiSinkOptions } from '../src/sinks/http/loki-sink.ts';
import { lokiLabelName } from '../src/sinks/http/loki-streams.ts';
import { blockOf, parsedBlockOf } from './helpers/blocks.ts';
import { FakeSink } from './helpers/fake-sink.ts';

const sinks: FakeSink[] = [];
afterEach(async () => {
  for (const sink of sinks.splice(0)) await sink.close();
});

const signal = new AbortController().signal;

type Push = {
  streams: { stream: Record<string, string>; values: [string, string, Record<string, string>?][] }[];
};

async function lokiWith(options: Partial<LokiSinkOptions>) {
  const fake = await FakeSink.start();
  sinks.push(fake);
  const sink = new LokiSink({
    target: parseHttpTarget(fake.url)!,
    labels: { app: 'web' },
    gzip: false,
    timeoutMs: 2000,
    ...options,
  });
  const pushes = () => fake.requests.map((request) => JSON.parse(request.body) as Push);
  return { fake, sink, pushes };
}

const levelLabel = [{ field: 'level', label: 'level' }];

describe('Loki labels from parsed fields', () => {
  it('splits a batch into one stream per file and label set, with the other fields as structured metadata', async () => {
    const { sink, pushes } = await lokiWith({ labelFrom: levelLabel, structuredMetadata: true });
    const parsed = parsedBlockOf(
      [
        '{"level":"info","msg":"a","user":{"id":7},"n":1}',
        '{"level":"error","msg":"b"}',
        '{"level":"info","msg":"c"}',
        'not json',
        '{"msg":"no level"}',
      ],
      parseJsonLine,
    ).slice;
    const other = { path: '/logs/other.log', pathJson: '"/logs/other.log"', fingerprint: '1' };
    const plain = blockOf(['plain'], { source: other }).slice;
    expect((await sink.send([parsed, plain], signal)).delivered).toEqual([parsed, plain]);
    const streams = pushes()[0]!.streams;
    expect(streams.map((stream) => [stream.stream, stream.values.map((value) => value.slice(1))])).toEqual([
      [
        { app: 'web', filename: '/logs/app.log', level: 'info' },
        [
          ['{"level":"info","msg":"a","user":{"id":7},"n":1}', { msg: 'a', user: '{"id":7}', n: '1' }],
          ['{"level":"info","msg":"c"}', { msg: 'c' }],
        ],
      ],
      [
        { app: 'web', filename: '/logs/app.log', level: 'error' },
        [['{"level":"error","msg":"b"}', { msg: 'b' }]],
      ],
      [
        { app: 'web', filename: '/logs/app.log' },
        [['not json'], ['{"msg":"no level"}', { msg: 'no level' }]],
      ],
      [{ app: 'web', filename: '/logs/other.log' }, [['plain']]],
    ]);
  });

  it('caps the distinct values of a label: a record past the cap goes without it, its field in metadata, and is counted', async () => {
    const overflowed: string[] = [];
    const { sink, pushes } = await lokiWith({
      labelFrom: [{ field: 'user', label: 'user' }],
      structuredMetadata: true,
      maxLabelValues: 2,
      labelOverflow: (label) => overflowed.push(label),
    });
    const lines = ['u1', 'u2', 'u3', 'u1', 'u4'].map((user) => `{"user":"${user}"}`);
    await sink.send([parsedBlockOf(lines, parseJsonLine).slice], signal);
    const streams = pushes()[0]!.streams;
    expect(streams.map((stream) => [stream.stream.user, stream.values.map((value) => value[2])])).toEqual([
      ['u1', [undefined, undefined]],
      ['u2', [undefined]],
      [undefined, [{ user: 'u3' }, { user: 'u4' }]],
    ]);
    expect(overflowed).toEqual(['user', 'user']);
    // The cap holds across batches: the values seen first stay labels, new ones do not.
    await sink.send([parsedBlockOf(['{"user":"u2"}', '{"user":"u5"}'], parseJsonLine).slice], signal);
    expect(pushes()[1]!.streams.map((stream) => stream.stream.user)).toEqual(['u2', undefined]);
    expect(overflowed).toHaveLength(3);
  });

  it('sends no structured metadata when it is off, and falls back to none when Loki refuses it', async () => {
    const line = '{"level":"info","msg":"a"}';
    const off = await lokiWith({ labelFrom: levelLabel, structuredMetadata: false });
    await off.sink.send([parsedBlockOf([line], parseJsonLine).slice], signal);
    expect(off.pushes()[0]!.streams[0]!.values[0]).toHaveLength(2);

    const on = await lokiWith({ structuredMetadata: true });
    on.fake.behaviour = (request) =>
      request.number === 1
        ? { status: 400, body: 'stream includes structured metadata, but this feature is disallowed' }
        : { status: 204 };
    const { slice } = parsedBlockOf([line], parseJsonLine);
    const refused = await on.sink.send([slice], signal);
    expect(refused).toMatchObject({ retry: [slice], dropped: [] });
    expect(refused.problem).toContain('--no-loki-structured-metadata');
    expect(await on.sink.send([slice], signal)).toMatchObject({ delivered: [slice] });
    expect(on.pushes().map((push) => push.streams[0]!.values[0]!.length)).toEqual([3, 2]);
  });

  it('names labels as Loki allows', () => {
    expect(lokiLabelName('level')).toBe('level');
    expect(lokiLabelName('log.level')).toBe('log_level');
    expect(lokiLabelName('1st-field')).toBe('_1st_field');
  });
});

describe('Elasticsearch and parsed fields', () => {
  it('writes the parsed fields as document fields, never over @timestamp, message or a label', async () => {
    const fake = await FakeSink.start();
    sinks.push(fake);
    const sink = new ElasticsearchSink({
      target: parseHttpTarget(fake.url)!,
      index: 'logs',
      action: 'create',
      labels: { app: 'web' },
      gzip: false,
      timeoutMs: 2000,
    });
    fake.behaviour = () => ({ status: 200, body: '{"errors":false}' });
    const line = '{"level":"warn","user":{"id":7},"message":"from app","app":"other"}';
    await sink.send([parsedBlockOf([line], parseJsonLine).slice], signal);
    const document = JSON.parse(fake.requests[0]!.body.split('\n')[1]!);
    expect(document).toEqual({
      level: 'warn',
      user: { id: 7 },
      message: line,
      app: 'web',
      '@timestamp': '2026-05-01T10:00:00.000Z',
      log: { file: { path: '/logs/app.log' } },
    });
  });
});
