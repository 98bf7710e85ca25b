import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { copyFile, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Child } from '@toolkit/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeSink, waitUntil } from './helpers/fake-sink.ts';
import { adminUrl, copytruncateFile, startForwarder, waitReady, writerFile } from './helpers/forwarder.ts';
import { linesInFiles, sequenceOfWholeLine } from './helpers/whole-lines.ts';

const children: Child[] = [];
const sinks: FakeSink[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) child.process.kill('SIGKILL');
  for (const sink of sinks.splice(0)) await sink.close();
});

/** 10 s of writing at 12,000 lines/s, a rotation every 250 ms. */
const total = 120_000;
const rate = 12_000;
const rotateEvery = 3000;
const batch = 1000;
/** Batches sent at a time: the README's bound on what a crash sends again, per crash. */
const inFlight = 2;
/** More runs for a soak: LOG_FORWARDER_CRASH_RUNS=10 pnpm vitest run ... */
const runs = Number(process.env.LOG_FORWARDER_CRASH_RUNS ?? 1);

const between = (lowMs: number, highMs: number) =>
  new Promise((resolve) => setTimeout(resolve, lowMs + Math.random() * (highMs - lowMs)));

/**
 * The app writes and rotates its log (by rename, or logrotate's copytruncate beside it) while the
 * forwarder is SIGKILLed at random moments and started again on the same positions file, over and
 * over; a last forwarder runs to the end. Returns what the sink got and the lines that may repeat.
 */
async function crashDuringRotation(kind: 'rename' | 'copytruncate') {
  const dir = mkdtempSync(join(tmpdir(), `lf-crash-${kind}-`));
  const log = join(dir, 'app.log');
  writeFileSync(log, '');
  const sink = await FakeSink.start();
  sink.keepLines = false;
  sink.sequenceOf = sequenceOfWholeLine;
  sinks.push(sink);
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
      '--rotate-wait',
      '300ms',
      '--log-level',
      'info',
    ]);
    children.push(child);
    await waitReady(child);
    return child;
  };
  // The forwarder starts first: at a first start, rotated files are not read.
  let child = await start();
  const writer = new Child(writerFile, [
    '--file',
    log,
    '--count',
    String(total),
    '--rate',
    String(rate),
    '--batch',
    '100',
    ...(kind === 'rename' ? ['--rotate-every', String(rotateEvery)] : []),
  ]);
  children.push(writer);
  if (kind === 'copytruncate') {
    const times = String(Math.floor(total / rotateEvery) - 2);
    children.push(new Child(copytruncateFile, ['--file', log, '--every-ms', '250', '--times', times]));
  }
  let writing = true;
  void writer.exited.then(() => {
    writing = false;
  });
  /** The lines of the last requests the sink got before each kill: the only ones that may come twice. */
  const unsettled = new Set<number>();
  const logs: string[] = [];
  let kills = 0;
  while (writing) {
    await between(50, 700);
    child.process.kill('SIGKILL');
    await child.exited;
    kills++;
    logs.push(child.stderr);
    // Bytes already on the socket still reach the sink: let them land before looking.
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const request of sink.requests.slice(-inFlight)) {
      for (const line of request.lines) {
        const seq = sequenceOfWholeLine(line);
        if (seq !== undefined) unsettled.add(seq);
      }
    }
    await between(0, 500);
    child = await start();
  }
  expect(await writer.exitCode()).toBe(0);
  const last = child;
  const inFiles = linesInFiles(dir, 'app.log');
  const lostFromFiles = () => [...inFiles].filter((seq) => !sink.counts.has(seq));
  await waitUntil(() => lostFromFiles().length === 0, 60_000, `the ${inFiles.size} lines in the files`).catch(
    async (error) => {
      const lost = lostFromFiles();
      const logFile = join(dir, 'forwarder-runs.log');
      const files = await fetch(`${await adminUrl(last)}/files`).then(
        (response) => response.text(),
        (failure) => String(failure),
      );
      writeFileSync(logFile, [...logs, last.stderr, `GET /files: ${files}`].join('\n----\n'));
      console.error(
        `${kind}: ${lost.length} lines lost, from ${lost.slice(0, 5)}; logs of the runs in ${logFile}`,
      );
      throw error;
    },
  );
  last.process.kill('SIGTERM');
  expect(await last.exitCode(15_000)).toBe(0);
  const repeated = [...sink.counts].filter(([, count]) => count > 1).map(([seq]) => seq);
  const beyondBound = repeated.filter((seq) => !unsettled.has(seq));
  console.log(
    `${kind}: ${total} lines, SIGKILL x${kills}: ${inFiles.size} whole lines in the files, lost ${lostFromFiles().length}, ` +
      `${repeated.length} sent twice (bound ${kills * inFlight * batch}: ${inFlight} batches of ${batch} per kill)` +
      (beyondBound.length > 0
        ? `; twice and not in flight at a kill: ${beyondBound.length}, logs in ${dir}`
        : ''),
  );
  if (beyondBound.length > 0)
    writeFileSync(join(dir, 'forwarder-runs.log'), [...logs, last.stderr].join('\n----\n'));
  expect(lostFromFiles()).toEqual([]);
  expect(beyondBound).toEqual([]);
  expect(repeated.length).toBeLessThanOrEqual(kills * inFlight * batch);
  expect(kills).toBeGreaterThanOrEqual(2);
}

describe('SIGKILL during rotation', () => {
  for (const kind of ['rename', 'copytruncate'] as const) {
    it.each(Array.from({ length: runs }, (_, run) => run + 1))(
      `${kind}: every line in the files arrives; only the batches in flight at a kill come twice (run %i)`,
      () => crashDuringRotation(kind),
      150_000,
    );
  }
});

/**
 * A log written line by line as the writer fixture writes them (100 bytes, `seq=` and 9 digits),
 * copytruncated by hand, and a forwarder started, SIGKILLed and started again on one positions file
 * and one sink.
 */
async function handDrivenLog() {
  const dir = mkdtempSync(join(tmpdir(), 'lf-crash-read-past-'));
  const log = join(dir, 'app.log');
  const positions = join(dir, 'positions.json');
  const sink = await FakeSink.start();
  sink.keepLines = false;
  sinks.push(sink);
  writeFileSync(log, '');
  let next = 1;
  return {
    dir,
    log,
    sink,
    get written() {
      return next - 1;
    },
    append(count: number) {
      let text = '';
      for (const end = next + count; next < end; next++)
        text += `seq=${String(next).padStart(9, '0')} ${'x'.repeat(86)}\n`;
      appendFileSync(log, text);
    },
    async start(extra: string[] = []) {
      const child = startForwarder([
        '--path',
        log,
        '--positions-file',
        positions,
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
      return child;
    },
    /** The positions file as last written; none before the first write. */
    saved() {
      if (!existsSync(positions)) return { savedAt: '', files: [] };
      return JSON.parse(readFileSync(positions, 'utf8')) as {
        savedAt: string;
        files: { file: string; ino: string; offset: number; fingerprintBytes: number; done?: boolean }[];
      };
    },
    /** The forwarder has read the log to its end (whatever the sink has). */
    async readToEnd(child: Child) {
      const base = await adminUrl(child);
      await waitUntil(
        async () => {
          const files = (await (await fetch(`${base}/files`)).json()) as { file: string; read: number }[];
          return files.some((file) => file.file === log && file.read === statSync(log).size);
        },
        30_000,
        'the log to be read to its end',
      );
    },
    /** Every line written has arrived, and a positions file written from `afterMs` has them all. */
    async settled(afterMs = 0) {
      await waitUntil(() => sink.distinct === next - 1, 30_000, `lines 1 to ${next - 1}`);
      await waitUntil(
        () => {
          const saved = this.saved();
          const { ino, size } = statSync(log, { bigint: true });
          const live = saved.files.find((entry) => entry.ino === String(ino) && !entry.done);
          return Date.parse(saved.savedAt) >= afterMs && live?.offset === Number(size);
        },
        30_000,
        'the positions file to have every line',
      );
    },
    /** A first copytruncate, its copy read to its end: its done entry, from its contents' start, stays
     * in the positions file, so restarts look for rotated files born since. */
    async firstCopytruncate(child: Child) {
      await copyFile(log, `${log}.1`);
      await truncate(log, 0);
      const copyRead = (line: Record<string, unknown>) =>
        line.msg === 'file truncated; reading the rest from its copy';
      await child.waitForLog(copyRead, 30_000);
    },
  };
}

const readPastLog = (line: Record<string, unknown>) =>
  line.msg === 'file truncated; read past the end of its copy';

describe('SIGKILL after a copytruncate whose copy was read past', () => {
  it('a copy whose lines were all read and acknowledged from the log before its truncation is not read again after restarts', async () => {
    const run = await handDrivenLog();
    const { log, sink } = run;
    run.append(500);
    let child = await run.start();
    await run.settled();
    await run.firstCopytruncate(child);
    run.append(500);
    await run.settled();
    // The copy is taken, lines are written and read after it, then the truncation.
    await copyFile(log, `${log}.2`);
    run.append(100);
    await run.settled();
    await truncate(log, 0);
    run.append(100);
    await child.waitForLog(readPastLog, 30_000);
    await run.settled();
    // Nothing in flight at either kill: nothing may come twice. The first restart still knows the
    // copy by the entry of the contents it copies; the second knows it only by an entry of its own.
    for (let kill = 1; kill <= 2; kill++) {
      child.process.kill('SIGKILL');
      await child.exited;
      const restartedMs = Date.now();
      child = await run.start();
      await run.settled(restartedMs);
      // A rotated file found unread would be read now.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const readAgain = child.logs
        .filter((line) => String(line.msg).startsWith('reading a rotated file'))
        .map((line) => line.file);
      expect({ restart: kill, readAgain, duplicates: sink.duplicates }).toEqual({
        restart: kill,
        readAgain: [],
        duplicates: 0,
      });
    }
    expect(sink.missing(1, run.written)).toEqual([]);
  }, 90_000);

  it('a copy read past before its lines were acknowledged is read after the restart, not taken as done', async () => {
    const run = await handDrivenLog();
    const { dir, log, sink } = run;
    run.append(500);
    let child = await run.start();
    await run.settled();
    await run.firstCopytruncate(child);
    // The sink takes nothing more: what is read from now on stays unacknowledged.
    sink.behaviour = () => 'hang';
    run.append(500);
    // Read before the copy is taken (its first bytes, at least: else it is a copy of contents
    // never seen, read whole).
    await run.readToEnd(child);
    await copyFile(log, `${log}.2`);
    run.append(100);
    await run.readToEnd(child);
    await truncate(log, 0);
    const readPast = await child.waitForLog(readPastLog, 30_000);
    // A positions file written since the copy was read past (the write it asks for, or a later one).
    const readPastMs = Date.parse(String(readPast.time));
    await waitUntil(() => Date.parse(run.saved().savedAt) >= readPastMs, 30_000, 'a positions file');
    child.process.kill('SIGKILL');
    await child.exited;
    sink.behaviour = () => ({ status: 200, body: '{}' });
    child = await run.start();
    // Lines 1,001-1,100 were in the log only, between the copy and the truncation, and never
    // acknowledged: in no file now. Every line of the files arrives, once.
    const inFiles = linesInFiles(dir, 'app.log');
    expect(inFiles.size).toBe(1000);
    await waitUntil(
      () => [...inFiles].every((seq) => sink.counts.has(seq)),
      30_000,
      'the lines in the files',
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(sink.duplicates).toBe(0);
  }, 90_000);
});

describe('SIGKILL, then a restart on a positions file naming one inode twice', () => {
  it('an entry of a file let go empty does not claim the inode another entry follows with lines (renamed back)', async () => {
    const run = await handDrivenLog();
    const { log, sink } = run;
    const fast = ['--rotate-wait', '300ms'];
    let child = await run.start(fast);
    // The log is renamed away empty and let go: a done entry with no first bytes, for its inode.
    renameSync(log, `${log}.1`);
    run.append(1);
    const base = await adminUrl(child);
    await waitUntil(
      async () => {
        // Only the new log is followed (it has a line): the renamed file is let go.
        const files = (await (await fetch(`${base}/files`)).json()) as { mode: string; read: number }[];
        return files.length === 1 && files[0]!.mode === 'live' && files[0]!.read > 0;
      },
      30_000,
      'the empty file to be let go',
    );
    run.append(1);
    await run.settled();
    expect(run.saved().files.find((entry) => entry.fingerprintBytes === 0)).toMatchObject({
      done: true,
      fingerprintBytes: 0,
    });
    // It comes back under the log's name (a rotation undone; an inode reused after a delete does
    // the same) and is written to: followed again, a second entry names its inode.
    renameSync(log, `${log}.2`);
    renameSync(`${log}.1`, log);
    run.append(100);
    await run.settled();
    child.process.kill('SIGKILL');
    await child.exited;
    const restartedMs = Date.now();
    child = await run.start(fast);
    await run.settled(restartedMs);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(sink.missing(1, run.written)).toEqual([]);
    expect(sink.duplicates).toBe(0);
  }, 90_000);
});
