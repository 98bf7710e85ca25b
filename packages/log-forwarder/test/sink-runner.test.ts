import { createLogger } from '@toolkit/lifecycle';
import { afterEach, describe, expect, it } from 'vitest';
import { parseHttpTarget } from '../src/http-target.ts';
import { recordOverhead } from '../src/record.ts';
import { SinkRunner } from '../src/sink-runner.ts';
import { HttpSink } from '../src/sinks/http-sink.ts';
import { blockOf } from './helpers/blocks.ts';
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
async function runnerFor(limits: { maxRecords: number; timeoutMs: number }, retryLimit = 0) {
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
        retried: (n) => {
          counts.retried += n;
        },
        batchSeconds: () => {},
        up: (isUp) => {
          counts.up = isUp;
        },
      },
      log: createLogger('log-forwarder', 'silent'),
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
});
