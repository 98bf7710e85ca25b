import { appendFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Child } from '@toolkit/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeSink, waitUntil } from './helpers/fake-sink.ts';
import { startForwarder, waitReady, writerFile } from './helpers/forwarder.ts';

const children: Child[] = [];
const sinks: FakeSink[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) child.process.kill('SIGKILL');
  for (const sink of sinks.splice(0)) await sink.close();
});

const total = 60_000;
const batch = 1000;
/** Batches sent at a time: a SIGKILL may leave this many unacknowledged, to be sent again. */
const inFlight = 4;

/** A log written at 20,000 lines/s for 3 s, a sink, and a way to start the forwarder on them again and again. */
async function setUp() {
  const dir = mkdtempSync(join(tmpdir(), 'lf-restart-'));
  const log = join(dir, 'app.log');
  writeFileSync(log, '');
  const sink = await FakeSink.start();
  sink.keepLines = false;
  sinks.push(sink);
  const writer = new Child(writerFile, [
    '--file',
    log,
    '--count',
    String(total),
    '--rate',
    '20000',
    '--batch',
    '50',
  ]);
  children.push(writer);
  const start = async () => {
    const child = startForwarder([
      '--path',
      log,
      '--positions-file',
      join(dir, 'positions.json'),
      '--http-url',
      sink.url,
      '--batch-max-records',
      String(batch),
      '--batch-timeout',
      '50ms',
      '--batches-in-flight',
      String(inFlight),
      // The writer starts first: the first run must not skip what it wrote before.
      '--read-from',
      'beginning',
      '--log-level',
      'info',
    ]);
    children.push(child);
    await waitReady(child);
    return child;
  };
  return { sink, writer, start };
}

/** Somewhere between 200 and 900 ms: the moments the forwarder is stopped at. */
const randomMoment = () => new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 700));

describe('restarts', () => {
  it('SIGTERM at random moments, then a restart: every line arrives, none twice', async () => {
    const { sink, writer, start } = await setUp();
    for (let round = 0; round < 3; round++) {
      const child = await start();
      await randomMoment();
      child.process.kill('SIGTERM');
      expect(await child.exitCode(15_000)).toBe(0);
      expect(child.logs.find((l) => l.msg === 'stopped')).toMatchObject({ exitCode: 0 });
    }
    const last = await start();
    expect(await writer.exitCode(30_000)).toBe(0);
    await waitUntil(() => sink.distinct >= total, 20_000, `all ${total} lines (have ${sink.distinct})`);
    last.process.kill('SIGTERM');
    expect(await last.exitCode(15_000)).toBe(0);
    expect(sink.missing(1, total)).toEqual([]);
    expect(sink.duplicates).toBe(0);
  });

  it('SIGKILL at random moments, then a restart: every line arrives; repeats only from the batches in flight', async () => {
    const { sink, writer, start } = await setUp();
    const seqOf = (line: string) => Number(/seq=(\d+)/.exec(line)![1]);
    /**
     * The lines of the batches in flight at each kill: the only ones that may come twice. Batches go
     * out in file order and the window is the last `inFlight` sent, but each is on its own connection
     * and they land in any order (a short batch overtakes a full one sent before it): the window is
     * the last `inFlight` requests of the run in file order, not the last ones to land.
     */
    const unsettled = new Set<number>();
    for (let round = 0; round < 3; round++) {
      const before = sink.requests.length;
      const child = await start();
      await randomMoment();
      child.process.kill('SIGKILL');
      await child.exited;
      // Bytes already on the socket still reach the sink: let them land before looking.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const inFileOrder = sink.requests
        .slice(before)
        .filter((request) => request.lines.length > 0)
        .sort((a, b) => seqOf(a.lines[0]!) - seqOf(b.lines[0]!));
      for (const request of inFileOrder.slice(-inFlight)) {
        for (const line of request.lines) unsettled.add(seqOf(line));
      }
    }
    const last = await start();
    expect(await writer.exitCode(30_000)).toBe(0);
    await waitUntil(() => sink.distinct >= total, 20_000, `all ${total} lines (have ${sink.distinct})`);
    last.process.kill('SIGTERM');
    expect(await last.exitCode(15_000)).toBe(0);
    expect(sink.missing(1, total)).toEqual([]);
    const repeated = [...sink.counts].filter(([, count]) => count > 1).map(([seq]) => seq);
    console.log(`SIGKILL x3: ${repeated.length} lines repeated (batches of ${batch})`);
    expect(repeated.filter((seq) => !unsettled.has(seq))).toEqual([]);
    expect(repeated.length).toBeLessThanOrEqual(3 * inFlight * batch);
  });

  it('SIGKILL while the oldest batch is refused and the ones beside it are taken: the restart loses none, repeats only those', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-window-'));
    const log = join(dir, 'app.log');
    const lines = 5000;
    const perBatch = 500;
    let text = '';
    for (let seq = 1; seq <= lines; seq++) text += `seq=${String(seq).padStart(9, '0')} ${'x'.repeat(60)}\n`;
    writeFileSync(log, text);
    const sink = await FakeSink.start();
    sinks.push(sink);
    // The batch with the first line is refused (a 503 that the forwarder retries); the others are taken.
    sink.behaviour = (request) =>
      request.lines.some((line) => line.startsWith('seq=000000001 ')) ? { status: 503 } : { status: 200 };
    const args = [
      '--path',
      log,
      '--positions-file',
      join(dir, 'positions.json'),
      '--http-url',
      sink.url,
      '--batch-max-records',
      String(perBatch),
      '--batches-in-flight',
      String(inFlight),
      '--retry-initial',
      '50ms',
      '--retry-max',
      '100ms',
      '--read-from',
      'beginning',
    ];
    const first = startForwarder(args);
    children.push(first);
    await waitReady(first);
    const refused = () => sink.requests.filter((r) => r.lines[0]!.startsWith('seq=000000001 ')).length;
    await waitUntil(() => sink.distinct >= (inFlight - 1) * perBatch && refused() >= 3, 10_000, 'the window');
    // Give a batch past the window the time to go, if the window let it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sink.distinct).toBe((inFlight - 1) * perBatch);
    first.process.kill('SIGKILL');
    await first.exited;
    sink.behaviour = () => ({ status: 200 });
    const second = startForwarder(args);
    children.push(second);
    await waitUntil(() => sink.distinct >= lines, 15_000, `all ${lines} lines (have ${sink.distinct})`);
    second.process.kill('SIGTERM');
    expect(await second.exitCode(15_000)).toBe(0);
    expect(sink.missing(1, lines)).toEqual([]);
    // The checkpoint stayed before the refused batch: the batches taken beside it come again, no others.
    const repeated = [...sink.counts].filter(([, count]) => count > 1).map(([seq]) => seq);
    expect(repeated.length).toBe((inFlight - 1) * perBatch);
    expect(repeated.every((seq) => seq > perBatch && seq <= inFlight * perBatch)).toBe(true);
  });
});

describe('a SIGKILL just after the start', () => {
  it('finds the positions file naming the files followed, once ready: what comes after is not skipped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-killed-at-start-'));
    const log = join(dir, 'app.log');
    const positions = join(dir, 'positions.json');
    writeFileSync(log, 'seq=1\n');
    const sink = await FakeSink.start();
    sinks.push(sink);
    const start = async () => {
      const child = startForwarder(['--path', log, '--positions-file', positions, '--http-url', sink.url]);
      children.push(child);
      await waitReady(child);
      return child;
    };
    // The first start reads from the end (--read-from end): the restart must know it was there.
    const first = await start();
    first.process.kill('SIGKILL');
    await first.exited;
    expect(existsSync(positions)).toBe(true);
    appendFileSync(log, 'seq=2\nseq=3\n');
    await start();
    await waitUntil(() => sink.distinct === 2, 15_000, 'lines 2 and 3');
    expect(sink.missing(2, 3)).toEqual([]);
    expect(sink.counts.has(1)).toBe(false);
  });
});
