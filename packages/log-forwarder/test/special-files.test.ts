import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Child } from '@toolkit/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeSink, waitUntil } from './helpers/fake-sink.ts';
import { startForwarder, waitReady } from './helpers/forwarder.ts';

const children: Child[] = [];
const sinks: FakeSink[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) child.process.kill('SIGKILL');
  for (const sink of sinks.splice(0)) await sink.close();
});

async function follow(logs: string, glob: string, extra: string[] = []) {
  const sink = await FakeSink.start();
  sinks.push(sink);
  const child = startForwarder([
    '--path',
    join(logs, glob),
    '--positions-file',
    join(logs, '..', 'positions.json'),
    '--http-url',
    sink.url,
    '--batch-timeout',
    '50ms',
    '--read-from',
    'beginning',
    '--log-level',
    'info',
    ...extra,
  ]);
  children.push(child);
  await waitReady(child);
  return { sink, child };
}

/** A log directory inside a test directory, and a secret beside it (outside the watched directory). */
function setUp() {
  const dir = mkdtempSync(join(tmpdir(), 'lf-special-'));
  const logs = join(dir, 'logs');
  mkdirSync(logs);
  const secret = join(dir, 'secret.txt');
  writeFileSync(secret, 'seq=999 the secret\n');
  return { logs, secret };
}

describe('files that are not plain log files', () => {
  it('a FIFO matching --path is not opened: ready at once, the other files shipped, SIGTERM exits 0', async () => {
    const { logs } = setUp();
    // Opening a FIFO for reading waits for a writer: it used to hold a libuv thread, and the start.
    execFileSync('mkfifo', [join(logs, 'pipe.log')]);
    writeFileSync(join(logs, 'app.log'), 'seq=1\n');
    const { sink, child } = await follow(logs, '*.log');
    await waitUntil(() => sink.distinct === 1, 10_000, 'the line of app.log');
    // Made while running too: found by the watcher, refused the same way.
    execFileSync('mkfifo', [join(logs, 'late.log')]);
    appendFileSync(join(logs, 'app.log'), 'seq=2\n');
    await waitUntil(() => sink.distinct === 2, 10_000, 'the second line');
    await waitUntil(
      () => child.logs.filter((l) => String(l.msg).startsWith('not a regular file')).length === 2,
      10_000,
      'a warning for each FIFO',
    );
    const started = performance.now();
    child.process.kill('SIGTERM');
    expect(await child.exitCode(10_000)).toBe(0);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(sink.duplicates).toBe(0);
  });

  it('a log replaced by a link to a file outside the watched directory is not shipped; a link inside is', async () => {
    const { logs, secret } = setUp();
    const log = join(logs, 'app.log');
    writeFileSync(log, 'seq=1\n');
    // A link inside the watched directory, to a file there the glob does not match: followed.
    writeFileSync(join(logs, 'real.txt'), 'seq=2\n');
    symlinkSync(join(logs, 'real.txt'), join(logs, 'current.log'));
    // A link out, there from the start.
    symlinkSync(secret, join(logs, 'out.log'));
    const { sink, child } = await follow(logs, '*.log');
    await waitUntil(() => sink.distinct === 2, 10_000, 'lines 1 and 2');
    // The log replaced by a link out while followed (what a careless or hostile writer of the volume can do).
    rmSync(log);
    symlinkSync(secret, log);
    appendFileSync(join(logs, 'real.txt'), 'seq=3\n');
    await waitUntil(() => sink.distinct === 3, 10_000, 'line 3');
    await waitUntil(
      () =>
        child.logs.filter((l) => String(l.msg).startsWith('a symbolic link to a file outside')).length >= 2,
      10_000,
      'a warning for each link out',
    );
    // A rescan or a late event would have had time to ship it.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(sink.counts.has(999)).toBe(false);
    expect(sink.accepted.some((line) => line.includes('secret'))).toBe(false);
  });

  it('--follow-links-outside follows a link out, as fluent-bit does', async () => {
    const { logs, secret } = setUp();
    symlinkSync(secret, join(logs, 'app.log'));
    const { sink } = await follow(logs, '*.log', ['--follow-links-outside']);
    await waitUntil(() => sink.distinct === 1, 10_000, 'the line the link leads to');
    expect(sink.accepted).toEqual(['seq=999 the secret']);
  });
});
