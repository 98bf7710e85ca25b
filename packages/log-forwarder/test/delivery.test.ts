import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Child } from '@toolkit/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeSink, waitUntil } from './helpers/fake-sink.ts';
import {
  adminUrl,
  readMetric,
  residentMiB,
  runWriter,
  startForwarder,
  waitReady,
} from './helpers/forwarder.ts';

const children: Child[] = [];
const sinks: FakeSink[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) child.process.kill('SIGKILL');
  for (const sink of sinks.splice(0)) await sink.close();
});

async function follow(extra: string[], dir = mkdtempSync(join(tmpdir(), 'lf-delivery-')), sink?: FakeSink) {
  const log = join(dir, 'app.log');
  if (!existsSync(log)) writeFileSync(log, '');
  sink ??= await FakeSink.start();
  sinks.push(sink);
  const child = startForwarder([
    '--path',
    log,
    '--positions-file',
    join(dir, 'positions.json'),
    '--http-url',
    sink.url,
    '--batch-timeout',
    '50ms',
    '--log-level',
    'info',
    ...extra,
  ]);
  children.push(child);
  await waitReady(child);
  return { dir, log, sink, child, base: await adminUrl(child) };
}

describe('delivery', () => {
  it('retries through 500s, 429s with Retry-After and timeouts, then delivers every line once', async () => {
    // A request timeout far above a stall under load; only the hangs time out. With a short one, a
    // batch the sink was slow to answer is sent again: a 200 the forwarder gave up on counts twice
    // (rightly, at least once), and a copy read after the 429 looks like a retry that did not wait.
    const { log, sink, child, base } = await follow([
      '--request-timeout',
      '2s',
      '--retry-initial',
      '50ms',
      '--retry-max',
      '400ms',
      '--batch-max-records',
      '500',
    ]);
    const outageEnds = Date.now() + 2500;
    const answers = [
      { status: 500, body: 'boom' },
      'hang' as const,
      { status: 429, headers: { 'retry-after': '1' } },
      { status: 503 },
    ];
    const retryAfterSeen: number[] = [];
    /** When each batch (by its first line) was refused with a 429. */
    const refusedAt = new Map<string, number>();
    sink.behaviour = (request) => {
      // A retry after a 429 must wait the second the sink asked for (batches in flight beside it
      // were sent before the answer, so only the retry of the refused batch itself is timed).
      const first = request.lines[0] ?? '';
      const refused = refusedAt.get(first);
      if (refused !== undefined) retryAfterSeen.push(Date.now() - refused);
      refusedAt.delete(first);
      // The outage lasts its time and at least two rounds of answers, so each failure is met even
      // when load slows the forwarder's first requests.
      if (Date.now() >= outageEnds && request.number > 2 * answers.length) return { status: 200 };
      const answer = answers[request.number % answers.length]!;
      if (answer !== 'hang' && answer.status === 429) refusedAt.set(first, Date.now());
      return answer;
    };
    const total = 20_000;
    await runWriter(['--file', log, '--count', String(total), '--rate', '10000']);
    await waitUntil(() => sink.distinct >= total, 20_000, `all ${total} lines (have ${sink.distinct})`);
    expect(sink.missing(1, total)).toEqual([]);
    expect(sink.duplicates).toBe(0);
    expect(retryAfterSeen.length).toBeGreaterThan(0);
    expect(Math.min(...retryAfterSeen)).toBeGreaterThanOrEqual(950);
    expect(await readMetric(base, 'log_forwarder_records_retried_total')).toBeGreaterThan(0);
    expect(await readMetric(base, 'log_forwarder_records_failed_total')).toBe(0);
    expect(await readMetric(base, 'log_forwarder_sink_up')).toBe(1);
    expect(
      child.logs.some((l) => l.msg === 'sink failed; retrying' && String(l.problem).includes('no answer')),
    ).toBe(true);
  });

  it('drops and counts a batch the sink refuses for good (400), and goes on', async () => {
    const { log, sink, child, base } = await follow(['--batch-max-records', '100']);
    sink.behaviour = (request) =>
      request.lines.some((line) => line.startsWith('seq=000000150 '))
        ? { status: 400, body: 'entry too long' }
        : { status: 200 };
    await runWriter(['--file', log, '--count', '1000', '--batch', '10', '--rate', '5000']);
    await waitUntil(
      () => sink.accepted.some((line) => line.startsWith('seq=000001000 ')),
      10_000,
      'the last line',
    );
    const refused = sink.requests.find((request) =>
      request.lines.some((line) => line.startsWith('seq=000000150 ')),
    )!;
    expect(await readMetric(base, 'log_forwarder_records_failed_total')).toBe(refused.lines.length);
    expect(
      sink.requests.filter((request) => request === refused || request.body === refused.body),
    ).toHaveLength(1);
    expect(sink.distinct).toBe(1000 - refused.lines.length);
    const logged = child.logs.find((l) => l.msg === 'sink refused records; dropped');
    expect(logged).toMatchObject({
      sink: 'http',
      records: refused.lines.length,
      problem: 'HTTP 400: entry too long',
    });
  });

  it('pauses reading while the sink is down, with memory bounded, then delivers everything', async () => {
    const bufferMax = 2 * 1024 * 1024;
    const { log, sink, child, base } = await follow([
      '--buffer-max-bytes',
      String(bufferMax),
      '--retry-max',
      '200ms',
    ]);
    sink.keepLines = false;
    let down = true;
    sink.behaviour = () => (down ? { status: 503 } : { status: 200 });
    const total = 300_000;
    await runWriter(['--file', log, '--count', String(total), '--batch', '1000', '--line-bytes', '200']);
    await waitUntil(() => sink.requests.length >= 5, 10_000, 'retries');
    await expect
      .poll(() => readMetric(base, 'log_forwarder_backpressure_seconds_total'), { timeout: 10_000 })
      .toBeGreaterThan(0);
    const buffered = await readMetric(base, 'log_forwarder_buffer_bytes');
    const rss = residentMiB(child.process.pid!);
    console.log(
      `sink down, 60 MB written: buffer ${(buffered / 1048576).toFixed(1)} MiB of ${bufferMax / 1048576}, RSS ${rss.toFixed(0)} MiB`,
    );
    // Reading stops once the buffer is full; a chunk read just before may pass it.
    expect(buffered).toBeLessThanOrEqual(bufferMax + 512 * 1024);
    expect(rss).toBeLessThan(130);
    expect(sink.distinct).toBe(0);
    down = false;
    await waitUntil(() => sink.distinct >= total, 30_000, `all ${total} lines (have ${sink.distinct})`);
    expect(sink.duplicates).toBe(0);
  });

  it('on SIGTERM with the sink not answering, gives up at the deadline, exits 0, and delivers after the restart', async () => {
    const first = await follow([
      '--shutdown-timeout',
      '4s',
      '--request-timeout',
      '1s',
      '--retry-max',
      '300ms',
    ]);
    first.sink.behaviour = () => 'hang';
    await runWriter(['--file', first.log, '--count', '3000', '--rate', '20000']);
    await waitUntil(() => first.sink.requests.length > 0, 10_000, 'a request');
    const stopping = performance.now();
    first.child.process.kill('SIGTERM');
    expect(await first.child.exitCode(10_000)).toBe(0);
    expect(performance.now() - stopping).toBeLessThan(4500);
    expect(
      first.child.logs.find((l) => String(l.msg).startsWith('records not acknowledged by the deadline')),
    ).toBeDefined();
    first.sink.behaviour = () => ({ status: 200 });
    const second = await follow([], first.dir, first.sink);
    await waitUntil(() => first.sink.distinct >= 3000, 10_000, 'all lines after the restart');
    expect(first.sink.missing(1, 3000)).toEqual([]);
    expect(first.sink.duplicates).toBe(0);
    second.child.process.kill('SIGTERM');
    expect(await second.child.exitCode()).toBe(0);
  });

  it('sends to several sinks at once; a line counts as sent when every sink has it', async () => {
    const loki = await FakeSink.start();
    sinks.push(loki);
    const { log, sink, base } = await follow(['--loki-url', loki.url, '--label', 'job=app']);
    await runWriter(['--file', log, '--count', '2000', '--rate', '20000']);
    await waitUntil(() => sink.distinct >= 2000 && loki.distinct >= 2000, 10_000, 'both sinks');
    expect(loki.requests[0]!.path).toBe('/loki/api/v1/push');
    expect(sink.duplicates + loki.duplicates).toBe(0);
    expect(await readMetric(base, 'log_forwarder_records_sent_total')).toBe(4000);
  });
});
