import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Child } from '@toolkit/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeSink, waitUntil } from './helpers/fake-sink.ts';
import { adminUrl, readMetric, startForwarder, waitReady } from './helpers/forwarder.ts';

const children: Child[] = [];
const sinks: FakeSink[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) child.process.kill('SIGKILL');
  for (const sink of sinks.splice(0)) await sink.close();
});

async function setUp(extra: string[] = [], prepare?: (dir: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'lf-follow-'));
  prepare?.(dir);
  const sink = await FakeSink.start();
  sinks.push(sink);
  const child = startForwarder([
    '--path',
    join(dir, '*.log'),
    '--positions-file',
    join(dir, 'state', 'positions.json'),
    '--http-url',
    `${sink.url}/ingest`,
    '--batch-timeout',
    '50ms',
    '--poll-interval',
    '50ms',
    ...extra,
  ]);
  children.push(child);
  await waitReady(child);
  return { dir, sink, child };
}

describe('following files', () => {
  it('starts at the end of existing files, reads new ones from the start, and skips excluded ones', async () => {
    const { dir, sink, child } = await setUp(['--exclude', 'skip-*'], (d) =>
      writeFileSync(join(d, 'old.log'), 'before start\n'),
    );
    appendFileSync(join(dir, 'old.log'), 'after start\n');
    writeFileSync(join(dir, 'new.log'), 'first of new\nsecond of new\n');
    writeFileSync(join(dir, 'skip-me.log'), 'excluded\n');
    writeFileSync(join(dir, 'other.txt'), 'not matched\n');
    await waitUntil(() => sink.accepted.length >= 3, 10_000, 'three lines');
    expect([...sink.accepted].sort()).toEqual(['after start', 'first of new', 'second of new']);
    const record = JSON.parse(sink.requests[0]!.body.split('\n')[0]!);
    expect(record).toMatchObject({ path: expect.stringMatching(/\.log$/), line: expect.any(String) });
    expect(Date.parse(record.timestamp)).toBeGreaterThan(Date.now() - 60_000);
    child.process.kill('SIGTERM');
    expect(await child.exitCode()).toBe(0);
  });

  it('reads existing files from the beginning when asked, and holds a partial last line until it is finished', async () => {
    const { dir, sink } = await setUp(['--read-from', 'beginning', '--partial-line-timeout', '1s'], (d) =>
      writeFileSync(join(d, 'app.log'), 'one\ntwo\nthr'),
    );
    await waitUntil(() => sink.accepted.length >= 2, 10_000, 'two lines');
    appendFileSync(join(dir, 'app.log'), 'ee\nfour without newline');
    await waitUntil(() => sink.accepted.length >= 3, 10_000, 'the finished line');
    expect(sink.accepted.slice(0, 3)).toEqual(['one', 'two', 'three']);
    // Flushed by the timeout, since the writer never finishes it.
    await waitUntil(() => sink.accepted.length >= 4, 10_000, 'the partial line');
    expect(sink.accepted[3]).toBe('four without newline');
  });

  it('cuts long lines, joins multiline records, parses JSON and adds labels', async () => {
    const { dir, sink, child } = await setUp([
      '--max-line-bytes',
      '100',
      '--multiline-start',
      '^\\S',
      '--parse',
      'json',
      '--label',
      'app=web,team=core',
    ]);
    const base = await adminUrl(child);
    writeFileSync(
      join(dir, 'app.log'),
      `${'a'.repeat(300)}\nException: boom\n  at one\n  at two\n{"level":"warn","msg":"hi","app":"mine"}\nlast\n`,
    );
    await waitUntil(() => sink.accepted.length >= 3, 10_000, 'records');
    expect(sink.accepted.slice(0, 3)).toEqual([
      'a'.repeat(100),
      'Exception: boom\n  at one\n  at two',
      '{"level":"warn","msg":"hi","app":"mine"}',
    ]);
    const json = sink.requests.flatMap((r) =>
      r.body
        .split('\n')
        .filter(Boolean)
        .map((row) => JSON.parse(row)),
    );
    expect(json.find((r) => r.line.startsWith('{'))).toMatchObject({
      level: 'warn',
      msg: 'hi',
      app: 'web',
      team: 'core',
    });
    expect(await readMetric(base, 'log_forwarder_long_lines_total')).toBe(1);
  });

  it('follows files renamed into a glob and files in new subdirectories, with a missing base directory', async () => {
    const other = mkdtempSync(join(tmpdir(), 'lf-deep-'));
    const { dir, sink } = await setUp([
      '--path',
      `${other}/deep/**/*.log`,
      '--path',
      '/nonexistent-dir/**/*.log',
    ]);
    writeFileSync(join(dir, 'tmp.txt'), 'from rename\n');
    renameSync(join(dir, 'tmp.txt'), join(dir, 'moved.log'));
    mkdirSync(join(other, 'deep', 'a', 'b'), { recursive: true });
    writeFileSync(join(other, 'deep', 'a', 'b', 'nested.log'), 'nested\n');
    await waitUntil(() => sink.accepted.length >= 2, 10_000, 'the renamed and the nested file');
    expect([...sink.accepted].sort()).toEqual(['from rename', 'nested']);
  });

  it('serves metrics with the log_forwarder_ prefix and the files it follows', async () => {
    const { dir, sink, child } = await setUp([], (d) => writeFileSync(join(d, 'a.log'), ''));
    const base = await adminUrl(child);
    appendFileSync(join(dir, 'a.log'), 'x\ny\n');
    await waitUntil(() => sink.accepted.length >= 2, 10_000, 'two lines');
    const text = await (await fetch(`${base}/metrics`)).text();
    for (const name of [
      'log_forwarder_lines_read_total',
      'log_forwarder_bytes_read_total',
      'log_forwarder_records_sent_total',
      'log_forwarder_records_failed_total',
      'log_forwarder_records_retried_total',
      'log_forwarder_batch_duration_seconds',
      'log_forwarder_buffer_bytes',
      'log_forwarder_files_watched',
      'log_forwarder_rotations_total',
      'log_forwarder_checkpoint_age_seconds',
    ]) {
      expect(text).toContain(name);
    }
    expect(await readMetric(base, 'log_forwarder_lines_read_total')).toBe(2);
    expect(await readMetric(base, 'log_forwarder_files_watched')).toBe(1);
    const files = (await (await fetch(`${base}/files`)).json()) as { path: string }[];
    expect(files.map((f) => f.path)).toEqual([join(dir, 'a.log')]);
  });

  it('sets an unreadable positions file aside and starts as a first run', async () => {
    const { dir, child } = await setUp([], (d) => {
      mkdirSync(join(d, 'state'));
      writeFileSync(join(d, 'state', 'positions.json'), '{"not": "positions"');
    });
    expect(
      child.logs.find((l) => String(l.msg).includes('set aside, starting as a first run')),
    ).toBeDefined();
    expect(readdirSync(join(dir, 'state')).some((name) => name.startsWith('positions.json.bad-'))).toBe(true);
  });
});
