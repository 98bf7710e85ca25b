import { mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AckLedger } from '../src/records/ack-ledger.ts';
import { RecordBlock, streamFields } from '../src/records/record.ts';
import { BodyWriter } from '../src/sinks/body-writer.ts';
import { ElasticsearchSink } from '../src/sinks/http/elasticsearch-sink.ts';
import { HttpSink } from '../src/sinks/http/http-sink.ts';
import { parseHttpTarget } from '../src/sinks/http/http-target.ts';
import { LokiSink } from '../src/sinks/http/loki-sink.ts';
import { StdoutSink } from '../src/sinks/stdout-sink.ts';
import { blockOf, testSource } from './helpers/blocks.ts';
import { FakeSink } from './helpers/fake-sink.ts';

const sinks: FakeSink[] = [];
afterEach(async () => {
  for (const sink of sinks.splice(0)) await sink.close();
});

async function fakeSink() {
  const sink = await FakeSink.start();
  sinks.push(sink);
  return sink;
}

const signal = new AbortController().signal;
const labels = { app: 'web' };

describe('body writer', () => {
  it('writes any line as a JSON string that reads back as the line', () => {
    const lines = ['plain', 'say "hi" \\ bye', 'tab\there\u0001\u001f', 'héllo wörld ✓', '🎉 emoji', ''];
    const writer = new BodyWriter();
    for (const line of lines) {
      const bytes = Buffer.from(line);
      writer.reset();
      writer.jsonBytes(bytes, 0, bytes.length);
      expect(JSON.parse(writer.bytes.toString())).toBe(line);
    }
    const invalid = Buffer.from([0x61, 0xff, 0x62]);
    writer.reset();
    writer.jsonBytes(invalid, 0, invalid.length);
    expect(JSON.parse(writer.bytes.toString())).toBe('a\ufffdb');
  });

  it('escapes exactly as JSON.stringify, whatever the bytes and wherever they start (four at a time)', () => {
    // Mostly printable ASCII, with quotes, backslashes, controls, DEL and bytes past ASCII mixed in,
    // at every alignment and length, so the four-byte steps and their tails all meet each kind.
    // The first half has no bytes past ASCII (so no line there falls back to JSON.stringify).
    const ascii = [0x22, 0x5c, 0x00, 0x09, 0x0a, 0x0d, 0x1f, 0x20, 0x7e, 0x7f];
    const special = [...ascii, 0x80, 0xc3, 0xa9, 0xff];
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const data = Buffer.alloc(64 * 1024);
    for (let i = 0; i < data.length; i++) {
      const kinds = i < data.length / 2 ? ascii : special;
      data[i] =
        random() < 0.05 ? kinds[Math.floor(random() * kinds.length)]! : 0x20 + Math.floor(random() * 95);
    }
    const writer = new BodyWriter();
    for (let from = 0; from < data.length - 300; from += 1 + Math.floor(random() * 40)) {
      const to = from + Math.floor(random() * 260);
      writer.reset();
      writer.jsonBytes(data, from, to);
      expect(writer.bytes.toString('latin1'), `bytes ${from} to ${to}`).toBe(
        Buffer.from(JSON.stringify(data.toString('utf8', from, to))).toString('latin1'),
      );
    }
    // A run of plain ASCII goes the fast way: check one long enough to be copied in words only.
    const plain = Buffer.from(`${'abcdefgh'.repeat(40)}xyz`);
    for (let from = 0; from < 8; from++) {
      writer.reset();
      writer.jsonBytes(plain, from, plain.length - from);
      expect(writer.bytes.toString()).toBe(JSON.stringify(plain.toString('utf8', from, plain.length - from)));
    }
  });
});

describe('HTTP sink', () => {
  it('posts NDJSON records with the line, path, timestamp and labels, and the credentials of the URL as a header', async () => {
    const fake = await fakeSink();
    const target = parseHttpTarget(`http://user:pa%20ss@127.0.0.1:${new URL(fake.url).port}/in`, {
      'x-extra': '1',
    })!;
    expect(target.label).not.toContain('pa');
    const sink = new HttpSink({ target, format: 'ndjson', labels, gzip: false, timeoutMs: 2000 });
    const { slice } = blockOf(['first "line"', 'second']);
    const outcome = await sink.send([slice], signal);
    expect(outcome.delivered).toEqual([slice]);
    const request = fake.requests[0]!;
    expect(request.headers['content-type']).toBe('application/x-ndjson');
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from('user:pa ss').toString('base64')}`);
    expect(request.headers['x-extra']).toBe('1');
    expect(
      request.body
        .split('\n')
        .filter(Boolean)
        .map((row) => JSON.parse(row)),
    ).toEqual([
      { timestamp: '2026-05-01T10:00:00.000Z', path: '/logs/app.log', line: 'first "line"', app: 'web' },
      { timestamp: '2026-05-01T10:00:00.000Z', path: '/logs/app.log', line: 'second', app: 'web' },
    ]);
  });

  it('writes records with fields (a container stream only, or parsed) byte for byte as JSON.stringify of their document, whatever the labels', async () => {
    const fake = await fakeSink();
    const target = parseHttpTarget(`http://127.0.0.1:${new URL(fake.url).port}/in`, {})!;
    const lines = ['plain', 'say "hi"\tthere', 'caf\u00e9 \u2603', 'lone \ud800 surrogate'];
    const block = new RecordBlock(
      testSource,
      Date.parse('2026-05-01T10:00:00.000Z'),
      new AckLedger(
        0,
        () => {},
        () => {},
      ).createSegment(),
      undefined,
    );
    lines.forEach((line, i) => {
      block.addText(line, i * 100, streamFields(i % 2 === 0 ? 'stdout' : 'stderr'), {
        ms: Date.UTC(2024, 0, 1) + i,
        ns: 0,
      });
    });
    block.addText('odd stream', 400, streamFields('console'), undefined);
    // Parsed fields: plain, empty, naming a key the document sets, with an array index, a nested value.
    block.addText('{"level":"info","n":1.5}', 500, { level: 'info', n: 1.5 }, undefined);
    block.addText('{}', 600, {}, undefined);
    block.addText('{"path":"mine","app":"x"}', 700, { path: 'mine', app: 'x' }, undefined);
    block.addText(
      '{"3":"three","b":{"c":[1,"\\u0001"]}}',
      800,
      { 3: 'three', b: { c: [1, '\u0001'] } },
      undefined,
    );
    const slice = { block, from: 0, to: block.count };
    // Labels that keep the keys' order (written from bytes made once) and labels that move them.
    for (const labelSet of [
      {},
      { app: 'web', 'we"ird': 'v\\' },
      { stream: 'mine' },
      { path: 'p' },
      { 7: 'x' },
    ] as Record<string, string>[]) {
      const sink = new HttpSink({ target, format: 'ndjson', labels: labelSet, gzip: false, timeoutMs: 2000 });
      await sink.send([slice], signal);
      const expected = Array.from({ length: block.count }, (_, i) =>
        JSON.stringify({
          ...block.fields![i],
          ...labelSet,
          timestamp: new Date(block.timeMs(i)).toISOString(),
          path: testSource.path,
          line: block.text(i),
        }),
      );
      expect(fake.requests.at(-1)!.body.split('\n').filter(Boolean), JSON.stringify(labelSet)).toEqual(
        expected,
      );
    }
  });

  it('posts a gzipped JSON array when asked', async () => {
    const fake = await fakeSink();
    const sink = new HttpSink({
      target: parseHttpTarget(fake.url)!,
      format: 'json',
      labels: {},
      gzip: true,
      timeoutMs: 2000,
    });
    await sink.send([blockOf(['a', 'b']).slice], signal);
    expect(fake.requests[0]!.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(fake.requests[0]!.body).map((record: { line: string }) => record.line)).toEqual([
      'a',
      'b',
    ]);
  });

  it('retries 5xx honouring Retry-After, retries a timeout, drops a 4xx', async () => {
    const fake = await fakeSink();
    const sink = new HttpSink({
      target: parseHttpTarget(fake.url)!,
      format: 'ndjson',
      labels: {},
      gzip: false,
      timeoutMs: 200,
    });
    const { slice } = blockOf(['x']);
    fake.behaviour = () => ({ status: 503, headers: { 'retry-after': '3' } });
    expect(await sink.send([slice], signal)).toMatchObject({
      retry: [slice],
      retryAfterMs: 3000,
      problem: 'HTTP 503: {}',
    });
    fake.behaviour = () => 'hang';
    expect(await sink.send([slice], signal)).toMatchObject({
      retry: [slice],
      problem: 'no answer within 200ms',
    });
    fake.behaviour = () => ({ status: 400, body: 'bad record' });
    expect(await sink.send([slice], signal)).toMatchObject({
      dropped: [slice],
      problem: 'HTTP 400: bad record',
    });
  });
});

describe('Loki sink', () => {
  it('pushes one stream per file with the labels and filename, nanosecond timestamps that never repeat', async () => {
    const fake = await fakeSink();
    const sink = new LokiSink({
      target: parseHttpTarget(fake.url, { 'x-scope-orgid': 'team-a' })!,
      labels,
      gzip: false,
      timeoutMs: 2000,
    });
    const other = { path: '/logs/other.log', pathJson: '"/logs/other.log"', fingerprint: '1' };
    await sink.send([blockOf(['one', 'two']).slice, blockOf(['three'], { source: other }).slice], signal);
    const request = fake.requests[0]!;
    expect(request.path).toBe('/loki/api/v1/push');
    expect(request.headers['x-scope-orgid']).toBe('team-a');
    const push = JSON.parse(request.body) as {
      streams: { stream: Record<string, string>; values: [string, string][] }[];
    };
    expect(push.streams.map((stream) => stream.stream)).toEqual([
      { app: 'web', filename: '/logs/app.log' },
      { app: 'web', filename: '/logs/other.log' },
    ]);
    const stamps = push.streams.flatMap((stream) => stream.values.map((value) => value[0]));
    expect(push.streams[0]!.values.map((value) => value[1])).toEqual(['one', 'two']);
    expect(stamps.every((stamp) => /^1777629600000\d{6}$/.test(stamp))).toBe(true);
    expect(new Set(stamps).size).toBe(3);
  });
});

describe('Elasticsearch sink', () => {
  it('sends create actions with ids from the fingerprint and offset, and retries only the items that failed', async () => {
    const fake = await fakeSink();
    const sink = new ElasticsearchSink({
      target: parseHttpTarget(`${fake.url}/es`)!,
      index: 'logs-app-default',
      action: 'create',
      labels,
      gzip: false,
      timeoutMs: 2000,
    });
    // Item 0 is new, 1 already exists (409: a retry of a delivered record), 2 is throttled, 3 is refused.
    const statuses = [201, 409, 429, 400];
    fake.behaviour = (request) => ({
      status: 200,
      body: JSON.stringify({
        errors: request.ids.length > 1,
        items: request.ids.map((_, index) => ({
          create: {
            status: request.ids.length > 1 ? statuses[index] : 201,
            error: { type: 'mapper_parsing_exception', reason: 'bad' },
          },
        })),
      }),
    });
    const { block, slice } = blockOf(['a', 'b', 'c', 'd'], { firstOffset: 1000 });
    const outcome = await sink.send([slice], signal);
    const request = fake.requests[0]!;
    expect(request.path).toBe('/es/_bulk?filter_path=errors,items.*.status,items.*.error');
    expect(request.ids).toEqual([
      'feedfacecafebeef-1000',
      'feedfacecafebeef-1002',
      'feedfacecafebeef-1004',
      'feedfacecafebeef-1006',
    ]);
    const action = JSON.parse(request.body.split('\n')[0]!);
    expect(action).toEqual({ create: { _index: 'logs-app-default', _id: 'feedfacecafebeef-1000' } });
    expect(JSON.parse(request.body.split('\n')[1]!)).toEqual({
      '@timestamp': '2026-05-01T10:00:00.000Z',
      message: 'a',
      log: { file: { path: '/logs/app.log' } },
      app: 'web',
    });
    expect(outcome.delivered).toEqual([{ block, from: 0, to: 2 }]);
    expect(outcome.retry).toEqual([{ block, from: 2, to: 3 }]);
    expect(outcome.dropped).toEqual([{ block, from: 3, to: 4 }]);
    expect(await sink.send(outcome.retry, signal)).toMatchObject({ delivered: outcome.retry });
    expect(fake.requests[1]!.ids).toEqual(['feedfacecafebeef-1004']);
  });
});

describe('stdout sink', () => {
  it('writes each line as it is, or each record as JSON', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lf-stdout-')), 'out');
    const fd = openSync(path, 'w');
    await new StdoutSink('line', labels, fd).send([blockOf(['GET / 200', 'tab\there']).slice], signal);
    await new StdoutSink('json', labels, fd).send([blockOf(['x']).slice], signal);
    const [first, second, third] = readFileSync(path, 'utf8').split('\n');
    expect([first, second]).toEqual(['GET / 200', 'tab\there']);
    expect(JSON.parse(third!)).toMatchObject({ line: 'x', app: 'web', path: '/logs/app.log' });
  });
});
