import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Child } from '@toolkit/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeSink, waitUntil } from './helpers/fake-sink.ts';
import { adminUrl, copytruncateFile, startForwarder, waitReady, writerFile } from './helpers/forwarder.ts';
import { linesInFile, linesInFiles, sequenceOfWholeLine } from './helpers/whole-lines.ts';

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
  // Known defect, stated in the README: a copy whose contents were all read from the live file
  // before its truncation ("read past the end of its copy") is not in the positions file, so a
  // restart reads it again whole. Its lines are the only other ones that may come twice.
  const readPast = new Set<number>();
  for (const run of [...logs, last.stderr]) {
    for (const line of run.split('\n').filter((l) => l.includes('read past the end of its copy'))) {
      for (const seq of linesInFile((JSON.parse(line) as { copy: string }).copy)) readPast.add(seq);
    }
  }
  const beyondBound = repeated.filter((seq) => !unsettled.has(seq) && !readPast.has(seq));
  console.log(
    `${kind}: ${total} lines, SIGKILL x${kills}: ${inFiles.size} whole lines in the files, lost ${lostFromFiles().length}, ` +
      `${repeated.length} sent twice (bound ${kills * inFlight * batch}: ${inFlight} batches of ${batch} per kill; ` +
      `${repeated.filter((seq) => readPast.has(seq)).length} of them in copies read past before a kill)` +
      (beyondBound.length > 0
        ? `; twice and not in flight at a kill: ${beyondBound.length}, logs in ${dir}`
        : ''),
  );
  if (beyondBound.length > 0)
    writeFileSync(join(dir, 'forwarder-runs.log'), [...logs, last.stderr].join('\n----\n'));
  expect(lostFromFiles()).toEqual([]);
  expect(beyondBound).toEqual([]);
  expect(repeated.filter((seq) => !readPast.has(seq)).length).toBeLessThanOrEqual(kills * inFlight * batch);
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
