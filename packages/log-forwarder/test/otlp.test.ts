import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Child } from '@toolkit/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { parseJsonLine } from '../src/reading/parse-line.ts';
import { parseHttpTarget } from '../src/sinks/http/http-target.ts';
import { OtlpSink } from '../src/sinks/http/otlp-sink.ts';
import { severityOf } from '../src/sinks/otlp/severity.ts';
import { blockOf, parsedBlockOf } from './helpers/blocks.ts';
import { adminUrl, readMetric, startForwarder, waitReady } from './helpers/forwarder.ts';
import { attributeMap, decodeLogs, OtlpReceiver } from './helpers/otlp-receiver.ts';

const receivers: OtlpReceiver[] = [];
const children: Child[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) child.process.kill('SIGKILL');
  for (const receiver of receivers.splice(0)) await receiver.close();
});

async function receiver() {
  const started = await OtlpReceiver.start();
  receivers.push(started);
  return started;
}

const signal = new AbortController().signal;
const readAt = Date.parse('2026-05-01T10:00:00.000Z');
const readAtNs = `${readAt}000000`;

function sinkFor(url: string, encoding: 'protobuf' | 'json', gzip = false) {
  return new OtlpSink({
    target: parseHttpTarget(url)!,
    encoding,
    labels: { 'service.name': 'shop', env: 'prod' },
    gzip,
    timeoutMs: 2000,
  });
}

const jsonLines = [
  '{"level":"warn","msg":"disk ✓ low","user":{"id":7,"roles":["a","b"]},"ratio":0.5,"delta":-3,"ok":true,"none":null}',
  '{"level":50,"msg":"pino error"}',
  '{"severity":"NOTICE","msg":"odd case"}',
  '{"level":"verbose","msg":"unknown level"}',
];

describe('OTLP sink', () => {
  it.each([
    ['protobuf', false],
    ['json', false],
    ['protobuf', true],
  ] as const)(
    'exports %s (gzip %s) that the official definitions decode: resource, scope, body, times, severity, attributes',
    async (encoding, gzip) => {
      const otlp = await receiver();
      const sink = sinkFor(`${otlp.url}/`, encoding, gzip);
      const plain = blockOf(['plain line', 'say "hi"\tthere']).slice;
      const parsed = parsedBlockOf(jsonLines, parseJsonLine, {
        source: { path: '/logs/api/app.log', pathJson: '"/logs/api/app.log"', fingerprint: 'ab' },
        time: readAt + 5,
      }).slice;
      const outcome = await sink.send([plain, parsed], signal);
      expect(outcome.delivered).toEqual([plain, parsed]);
      expect(otlp.undecodable).toEqual([]);
      const request = otlp.requests[0]!;
      expect(request.path).toBe('/v1/logs');
      expect(request.headers['content-type']).toBe(
        encoding === 'json' ? 'application/json' : 'application/x-protobuf',
      );
      expect(request.headers['content-encoding']).toBe(gzip ? 'gzip' : undefined);
      expect(request.logs.resourceLogs).toHaveLength(1);
      const [resourceLogs] = request.logs.resourceLogs;
      expect(attributeMap(resourceLogs!.resource?.attributes)).toEqual({
        'service.name': { stringValue: 'shop' },
        env: { stringValue: 'prod' },
      });
      expect(resourceLogs!.scopeLogs[0]!.scope?.name).toBe('log-forwarder');
      const records = request.records;
      expect(records.map((record) => record.body)).toEqual([
        { stringValue: 'plain line' },
        { stringValue: 'say "hi"\tthere' },
        ...jsonLines.map((line) => ({ stringValue: line })),
      ]);
      // A record without a time taken from its line has the time it was read.
      expect(records[0]!.timeUnixNano).toBe(readAtNs);
      expect(records[0]!.observedTimeUnixNano).toBe(readAtNs);
      expect(records[2]!.timeUnixNano).toBe(`${readAt + 5}000000`);
      expect(records[0]!.severityNumber ?? 0).toBe(0);
      expect(records[0]!.severityText ?? '').toBe('');
      expect(records.slice(2).map((r) => [r.severityText, r.severityNumber ?? 0])).toEqual([
        ['warn', 13],
        ['error', 17],
        ['NOTICE', 10],
        ['verbose', 0],
      ]);
      expect(attributeMap(records[0]!.attributes)).toEqual({
        'log.file.path': { stringValue: '/logs/app.log' },
        'log.file.name': { stringValue: 'app.log' },
      });
      expect(attributeMap(records[2]!.attributes)).toEqual({
        'log.file.path': { stringValue: '/logs/api/app.log' },
        'log.file.name': { stringValue: 'app.log' },
        level: { stringValue: 'warn' },
        msg: { stringValue: 'disk ✓ low' },
        user: {
          kvlistValue: {
            values: [
              { key: 'id', value: { intValue: '7' } },
              {
                key: 'roles',
                value: { arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } },
              },
            ],
          },
        },
        ratio: { doubleValue: 0.5 },
        delta: { intValue: '-3' },
        ok: { boolValue: true },
        none: {},
      });
    },
  );

  it('sends a line that is not valid UTF-8 with replacement characters, as a protobuf string must be', async () => {
    const otlp = await receiver();
    const { block, slice } = blockOf(['é ok', 'ok', 'ü fine']);
    // Overwrite the second line's bytes with an invalid sequence of the same length.
    const at = block.starts[1]!;
    block.data![at] = 0xc3;
    block.data![at + 1] = 0x28;
    await sinkFor(otlp.url, 'protobuf').send([slice], signal);
    expect(otlp.records.map((r) => r.body?.stringValue)).toEqual(['é ok', '\ufffd(', 'ü fine']);
  });

  it('posts to /v1/logs under a base path, or to a URL that is already the logs endpoint', async () => {
    const otlp = await receiver();
    const { slice } = blockOf(['x']);
    await sinkFor(`${otlp.url}/otel`, 'json').send([slice], signal);
    await sinkFor(`${otlp.url}/custom/v1/logs`, 'json').send([slice], signal);
    expect(otlp.requests.map((r) => r.path)).toEqual(['/otel/v1/logs', '/custom/v1/logs']);
  });

  it('retries 429 and 503 honouring Retry-After, drops a 400', async () => {
    const otlp = await receiver();
    const sink = sinkFor(otlp.url, 'protobuf');
    const { slice } = blockOf(['x']);
    otlp.answer = () => ({ status: 429, headers: { 'retry-after': '2' } });
    expect(await sink.send([slice], signal)).toMatchObject({ retry: [slice], retryAfterMs: 2000 });
    otlp.answer = () => ({ status: 503 });
    expect(await sink.send([slice], signal)).toMatchObject({ retry: [slice] });
    otlp.answer = () => ({ status: 400 });
    expect(await sink.send([slice], signal)).toMatchObject({ dropped: [slice] });
  });

  it('has a receiver that refuses OTLP/JSON with a misspelt field (which fromObject alone would skip)', () => {
    const json = (record: string) =>
      Buffer.from(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{${record}}]}]}]}`);
    expect(
      decodeLogs(json('"severityText":"x"'), 'application/json').resourceLogs[0]!.scopeLogs[0]!.logRecords[0],
    ).toMatchObject({ severityText: 'x' });
    expect(() => decodeLogs(json('"severity_text":"x"'), 'application/json')).toThrow(
      'unknown OTLP/JSON fields: request.resourceLogs.scopeLogs.logRecords.severity_text',
    );
  });

  it('reads severity from the usual level fields, in any case, and from pino numbers', () => {
    expect(severityOf({ level: 'ERROR' })).toEqual({ text: 'ERROR', number: 17 });
    expect(severityOf({ lvl: 'debug' })).toEqual({ text: 'debug', number: 5 });
    expect(severityOf({ 'log.level': 'fatal' })).toEqual({ text: 'fatal', number: 21 });
    expect(severityOf({ level: 10 })).toEqual({ text: 'trace', number: 1 });
    expect(severityOf({ level: 35 })).toEqual({ text: '35', number: 0 });
    expect(severityOf({ msg: 'no level' })).toBeUndefined();
  });
});

describe('OTLP partial success', () => {
  it.each(['protobuf', 'json'] as const)(
    'reads a %s partial_success: delivered, with the rejected count and message, not retried',
    async (encoding) => {
      const otlp = await receiver();
      otlp.answer = () => ({
        status: 200,
        partialSuccess: { rejectedLogRecords: 300, errorMessage: 'body too long ✗' },
      });
      const { slice } = blockOf(['a', 'b', 'c']);
      const outcome = await sinkFor(otlp.url, encoding).send([slice], signal);
      expect(outcome.delivered).toEqual([slice]);
      expect(outcome.retry).toEqual([]);
      expect(outcome.rejected).toEqual({ count: 300, reason: 'body too long ✗' });
      // An empty partial_success is a full success (the spec's words).
      otlp.answer = () => ({ status: 200, partialSuccess: { rejectedLogRecords: 0, errorMessage: '' } });
      expect((await sinkFor(otlp.url, encoding).send([slice], signal)).rejected).toBeUndefined();
      otlp.answer = () => ({ status: 200 });
      expect((await sinkFor(otlp.url, encoding).send([slice], signal)).rejected).toBeUndefined();
    },
  );
});

describe('OTLP sink in the forwarder', () => {
  it('counts records a receiver rejected in a partial_success, logs its message, and does not send them again', async () => {
    const otlp = await receiver();
    otlp.answer = () => ({ status: 200, partialSuccess: { rejectedLogRecords: 1, errorMessage: 'too old' } });
    const dir = mkdtempSync(join(tmpdir(), 'lf-otlp-'));
    const log = join(dir, 'app.log');
    writeFileSync(log, 'one\ntwo\n');
    const child = startForwarder([
      '--path',
      log,
      '--read-from',
      'beginning',
      '--positions-file',
      join(dir, 'positions.json'),
      '--otlp-url',
      otlp.url,
      '--batch-timeout',
      '50ms',
    ]);
    children.push(child);
    await waitReady(child);
    const url = await adminUrl(child);
    const deadline = Date.now() + 10_000;
    while ((await readMetric(url, 'log_forwarder_records_rejected_total')) < 1 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await readMetric(url, 'log_forwarder_records_rejected_total')).toBe(1);
    expect(await readMetric(url, 'log_forwarder_records_sent_total')).toBe(2);
    expect(await readMetric(url, 'log_forwarder_records_retried_total')).toBe(0);
    expect(otlp.requests).toHaveLength(1);
    const warning = await child.waitForLog((line) => line.problem === 'too old');
    expect(warning).toMatchObject({
      records: 1,
      msg: expect.stringContaining('rejected some of its records'),
    });
  });

  it('follows a file with --parse json --time-key to an OTLP receiver: labels as resource, event time, level as severity, counted as sent', async () => {
    const otlp = await receiver();
    // The first request is refused for a while: the batch is retried, not lost.
    otlp.answer = (request) => ({ status: otlp.requests.indexOf(request) === 0 ? 503 : 200 });
    const dir = mkdtempSync(join(tmpdir(), 'lf-otlp-'));
    const log = join(dir, 'app.log');
    writeFileSync(log, '{"level":"info","msg":"one","time":"2026-05-01T10:00:00.123456789Z"}\n');
    const child = startForwarder([
      '--path',
      log,
      '--read-from',
      'beginning',
      '--positions-file',
      join(dir, 'positions.json'),
      '--parse',
      'json',
      '--time-key',
      'time',
      '--label',
      'service.name=shop',
      '--otlp-url',
      otlp.url,
      '--batch-timeout',
      '50ms',
      '--retry-initial',
      '50ms',
    ]);
    children.push(child);
    await waitReady(child);
    appendFileSync(log, 'not json\n');
    const deadline = Date.now() + 10_000;
    while (otlp.records.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(otlp.records.map((r) => [r.body?.stringValue, r.severityText, r.severityNumber ?? 0])).toEqual([
      ['{"level":"info","msg":"one","time":"2026-05-01T10:00:00.123456789Z"}', 'info', 9],
      ['not json', undefined, 0],
    ]);
    expect(attributeMap(otlp.requests[1]!.logs.resourceLogs[0]!.resource?.attributes)).toEqual({
      'service.name': { stringValue: 'shop' },
    });
    expect(attributeMap(otlp.records[0]!.attributes)['log.file.path']).toEqual({ stringValue: log });
    // The time taken from the line, to the nanosecond; a line without one has its read time, as its observed time.
    expect(otlp.records[0]!.timeUnixNano).toBe('1777629600123456789');
    expect(otlp.records[1]!.timeUnixNano).toBe(otlp.records[1]!.observedTimeUnixNano);
    expect(Number(otlp.records[1]!.observedTimeUnixNano) / 1e6).toBeGreaterThan(Date.now() - 60_000);
    expect(await readMetric(await adminUrl(child), 'log_forwarder_records_sent_total')).toBe(2);
    expect(await readMetric(await adminUrl(child), 'log_forwarder_records_retried_total')).toBeGreaterThan(0);
  });
});
