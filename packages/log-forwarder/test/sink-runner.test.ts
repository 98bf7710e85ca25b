import { createLogger } from '@toolkit/lifecycle';
import { afterEach, describe, expect, it } from 'vitest';
import { SinkRunner } from '../src/delivery/sink-runner.ts';
import { AckLedger } from '../src/records/ack-ledger.ts';
import { RecordBlock, recordOverhead } from '../src/records/record.ts';
import { HttpSink } from '../src/sinks/http/http-sink.ts';
import { parseHttpTarget } from '../src/sinks/http/http-target.ts';
import { blockOf, testSource } from './helpers/blocks.ts';
import { FakeSink, waitUntil } from './helpers/fake-sink.ts';

const sinks: FakeSink[] = [];
const runners: SinkRunner[] = [];
afterEach(async () => {
  for (const runner of runners.splice(0)) {
    runner.abandon();
    runner.close();
  }
  for (const sink of sinks.splice(0)) await sink.close();
});

/** A runner over a real HTTP sink on loopback, counting what its metrics would. */
async function runnerFor(
  limits: { maxRecords: number; timeoutMs: number; inFlight?: number },
  retryLimit = 0,
) {
  const fake = await FakeSink.start();
  sinks.push(fake);
  const counts = { sent: 0, failed: 0, retried: 0, up: true };
  const runner = new SinkRunner(
    new HttpSink({
      target: parseHttpTarget(fake.url)!,
      format: 'ndjson',
      labels: {},
      gzip: false,
      timeoutMs: 2000,
    }),
    {
      limits: { maxRecords: limits.maxRecords, maxBytes: 1 << 20, timeoutMs: limits.timeoutMs },
      policy: { initialMs: 20, maxMs: 100, limit: retryLimit },
      metrics: {
        sent: (n) => {
          counts.sent += n;
        },
        failed: (n) => {
          counts.failed += n;
        },
        rejected: () => {},
        retried: (n) => {
          counts.retried += n;
        },
        batchSeconds: () => {},
        up: (isUp) => {
          counts.up = isUp;
        },
      },
      log: createLogger('log-forwarder', 'silent'),
      ...(limits.inFlight ? { inFlight: limits.inFlight } : {}),
    },
  );
  runners.push(runner);
  return { fake, runner, counts };
}

/** A block as the tailers dispatch it: its bytes counted. */
function dispatched(lines: string[]) {
  const made = blockOf(lines);
  for (let i = 0; i < made.block.count; i++) made.block.bytes += made.block.size(i) + recordOverhead;
  return made;
}

/**
 * Consecutive blocks of one file, one per group of lines, as the tailers dispatch them: their
 * segments in one ledger, so its committed offset says what a restart would read again.
 */
function fileBlocks(groups: string[][]) {
  const ledger = new AckLedger(
    0,
    () => {},
    () => {},
  );
  let offset = 0;
  const blocks = groups.map((lines) => {
    const data = Buffer.from(lines.map((line) => `${line}\n`).join(''));
    const block = new RecordBlock(testSource, Date.now(), ledger.createSegment(), data);
    let at = 0;
    for (const line of lines) {
      block.addBytes(at, at + line.length, offset + at);
      block.bytes += line.length + recordOverhead;
      at += line.length + 1;
    }
    offset += data.length;
    ledger.seal(block.segment, offset, lines.length, block.bytes);
    return block;
  });
  return { ledger, blocks, end: offset };
}

describe('SinkRunner', () => {
  it('sends whole blocks when a batch is full, and what is left after the batch timeout', async () => {
    const { fake, runner } = await runnerFor({ maxRecords: 4, timeoutMs: 150 });
    runner.enqueue(dispatched(['a', 'b']).block);
    runner.enqueue(dispatched(['c', 'd', 'e']).block);
    await waitUntil(() => fake.requests.length === 1, 2000, 'the full batch');
    // Two blocks do not fit in one batch of 4: the first goes alone rather than split.
    expect(fake.requests[0]!.lines).toEqual(['a', 'b']);
    const started = performance.now();
    await waitUntil(() => fake.requests.length === 2, 2000, 'the batch of the timeout');
    expect(fake.requests[1]!.lines).toEqual(['c', 'd', 'e']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
  });

  it('waits as long as Retry-After says, then commits the records once they are taken', async () => {
    const { fake, runner, counts } = await runnerFor({ maxRecords: 10, timeoutMs: 10 });
    const times: number[] = [];
    fake.behaviour = () => {
      times.push(performance.now());
      return times.length === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 };
    };
    const { block, ledger } = dispatched(['x', 'y']);
    runner.enqueue(block);
    await runner.flush();
    expect(times).toHaveLength(2);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(950);
    expect(ledger.committed).toBe(4);
    expect(counts).toEqual({ sent: 2, failed: 0, retried: 2, up: true });
  });

  it('drops and counts records after the retry limit, when one is set', async () => {
    const { fake, runner, counts } = await runnerFor({ maxRecords: 10, timeoutMs: 10 }, 2);
    fake.behaviour = () => ({ status: 500 });
    const { block, ledger } = dispatched(['x']);
    runner.enqueue(block);
    await runner.flush();
    expect(fake.requests).toHaveLength(3);
    expect(counts).toMatchObject({ sent: 0, failed: 1, retried: 2 });
    // Dropped records are not read again: the offset moves past them.
    expect(ledger.committed).toBe(2);
  });

  it('sends a batch the sink finds too large (413) again in halves', async () => {
    const { fake, runner, counts } = await runnerFor({ maxRecords: 10, timeoutMs: 10 });
    fake.behaviour = (request) => (request.lines.length > 2 ? { status: 413 } : { status: 200 });
    const { block, ledger } = dispatched(['a', 'b', 'c', 'd', 'e']);
    runner.enqueue(block);
    await runner.flush();
    expect(fake.requests.map((request) => request.lines.length)).toEqual([5, 2, 3, 1, 2]);
    expect(fake.accepted).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(counts).toMatchObject({ sent: 5, failed: 0 });
    expect(ledger.committed).toBe(10);
  });

  it('acknowledged out of order, commits only the acknowledged prefix of the file', async () => {
    const { fake, runner } = await runnerFor({ maxRecords: 2, timeoutMs: 10, inFlight: 2 });
    let firstMayPass = false;
    fake.behaviour = (request) =>
      request.lines[0] === 'a' && !firstMayPass ? { status: 503 } : { status: 200 };
    const { ledger, blocks, end } = fileBlocks([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    for (const block of blocks) runner.enqueue(block);
    // Both batches go at once; the second is taken while the first is refused and retried.
    await waitUntil(() => fake.accepted.includes('c'), 2000, 'the second batch');
    await waitUntil(() => fake.requests.filter((r) => r.lines[0] === 'a').length >= 2, 2000, 'a retry');
    expect(fake.accepted).toEqual(['c', 'd']);
    // The checkpoint may not pass a and b: after a crash now they are read (and sent) again.
    expect(ledger.committed).toBe(0);
    firstMayPass = true;
    await runner.flush();
    expect(fake.accepted).toEqual(['c', 'd', 'a', 'b']);
    expect(ledger.committed).toBe(end);
  });

  it('sends no batch past the window while the oldest is not acknowledged', async () => {
    const { fake, runner } = await runnerFor({ maxRecords: 1, timeoutMs: 10, inFlight: 2 });
    let firstMayPass = false;
    fake.behaviour = (request) =>
      request.lines[0] === 'l1' && !firstMayPass ? { status: 500 } : { status: 200 };
    const { ledger, blocks, end } = fileBlocks([['l1'], ['l2'], ['l3'], ['l4']]);
    for (const block of blocks) runner.enqueue(block);
    await waitUntil(() => fake.requests.filter((r) => r.lines[0] === 'l1').length >= 3, 3000, 'retries');
    // l2 went beside l1; l3 and l4 wait for l1, so a crash now repeats at most two batches.
    expect(new Set(fake.requests.map((r) => r.lines[0]))).toEqual(new Set(['l1', 'l2']));
    expect(runner.unacknowledged).toBe(3);
    firstMayPass = true;
    await runner.flush();
    expect(fake.accepted.sort()).toEqual(['l1', 'l2', 'l3', 'l4']);
    expect(ledger.committed).toBe(end);
    expect(runner.unacknowledged).toBe(0);
  });

  it("holds every batch of the sink for a 429's Retry-After, not only the refused one", async () => {
    const { fake, runner } = await runnerFor({ maxRecords: 1, timeoutMs: 10, inFlight: 4 });
    let refusedAt = 0;
    fake.behaviour = (request) => {
      if (request.number > 1) return { status: 200 };
      refusedAt = performance.now();
      return { status: 429, headers: { 'retry-after': '1' } };
    };
    const { ledger, blocks, end } = fileBlocks([['x'], ['y']]);
    runner.enqueue(blocks[0]!);
    await waitUntil(() => refusedAt > 0, 2000, 'the 429');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const sentAt: Record<string, number> = {};
    const answer = fake.behaviour;
    fake.behaviour = (request) => {
      sentAt[request.lines[0]!] = performance.now();
      return answer(request);
    };
    runner.enqueue(blocks[1]!);
    await runner.flush();
    expect(sentAt.y! - refusedAt).toBeGreaterThanOrEqual(950);
    expect(sentAt.x! - refusedAt).toBeGreaterThanOrEqual(950);
    expect(ledger.committed).toBe(end);
  });
});
