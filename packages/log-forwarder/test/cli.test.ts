import { appendFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Child } from '@toolkit/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeSink } from './helpers/fake-sink.ts';
import { mainFile } from './helpers/forwarder.ts';

const bundle = join(import.meta.dirname, '..', 'dist', 'log-forwarder.mjs');
const children: Child[] = [];
const sinks: FakeSink[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) child.process.kill('SIGKILL');
  for (const sink of sinks.splice(0)) await sink.close();
});

function run(file: string, args: string[], env: Record<string, string> = {}): Child {
  const child = new Child(file, args, env);
  children.push(child);
  return child;
}

describe('command line', () => {
  it('prints help with every option, its env var and default', async () => {
    const child = run(mainFile, ['--help']);
    expect(await child.exitCode()).toBe(0);
    for (const text of [
      '--path GLOB',
      'LOG_FORWARDER_PATH',
      '--http-url URL',
      '--http-authorization VALUE | --http-authorization-file PATH',
      '--buffer-max-bytes INTEGER',
      '(default: 4194304)',
      '--read-from end|beginning',
    ]) {
      expect(child.stdout).toContain(text);
    }
  });

  it.each([
    [['--http-url', 'http://127.0.0.1:1'], {}, 'missing required option --path (or LOG_FORWARDER_PATH)'],
    [
      ['--path', '/tmp/x.log'],
      {},
      'no sink: set --stdout, --http-url, --loki-url, --elasticsearch-url or --otlp-url',
    ],
    [
      ['--path', '/tmp/x.log', '--http-url', 'ftp://x'],
      {},
      '--http-url: invalid value "ftp://x": expected an http(s) URL',
    ],
    [
      ['--path', '/tmp/x.log', '--otlp-url', 'collector:4318'],
      {},
      '--otlp-url: invalid value "collector:4318": expected an http(s) URL',
    ],
    [
      ['--path', '/tmp/x.log', '--otlp-url', 'http://127.0.0.1:1', '--otlp-encoding', 'grpc'],
      {},
      '--otlp-encoding',
    ],
    [
      ['--path', '/tmp/x.log', '--otlp-url', 'http://127.0.0.1:1', '--otlp-header', 'x-api-key'],
      {},
      '--otlp-header: invalid value "x-api-key": expected NAME:VALUE',
    ],
    [
      ['--path', '/tmp/x.log', '--loki-url', 'http://127.0.0.1:1', '--loki-label-from', 'level'],
      {},
      '--loki-label-from needs --parse',
    ],
    [
      ['--path', '/tmp/x.log', '--loki-url', 'http://127.0.0.1:1', '--parse', 'json', '--label', 'level=x'],
      { LOG_FORWARDER_LOKI_LABEL_FROM: 'level' },
      '--loki-label-from: "level" gives the label "level", which is already set',
    ],
    [
      ['--path', '/tmp/x.log', '--stdout', '--label', 'novalue'],
      {},
      '--label: invalid value "novalue": expected KEY=VALUE',
    ],
    [
      // A key the document already has would be written twice.
      ['--path', '/tmp/x.log', '--http-url', 'http://127.0.0.1:1', '--label', 'app=web,path=/elsewhere'],
      {},
      '--label: "path" is a key the document of --http-url already has (timestamp, path, line)',
    ],
    [
      ['--path', '/tmp/x.log', '--stdout', '--stdout-format', 'json', '--label', 'timestamp=now'],
      {},
      '--label: "timestamp" is a key the document of --stdout-format json already has',
    ],
    [
      ['--path', '/tmp/x.log', '--elasticsearch-url', 'http://127.0.0.1:1', '--label', 'message=x'],
      {},
      '--label: "message" is a key the document of --elasticsearch-url already has (@timestamp, message, log)',
    ],
    [
      ['--path', '/tmp/x.log', '--stdout', '--time-key', 'ts'],
      {},
      '--time-key needs --parse json, regex or logfmt',
    ],
    [
      // A buffer the heap cannot hold: refused at start, not an out-of-memory death under load.
      ['--path', '/tmp/x.log', '--stdout', '--buffer-max-bytes', '16777216'],
      { NODE_OPTIONS: '--max-semi-space-size=1 --max-old-space-size=64' },
      "--buffer-max-bytes: 16777216 is more than an eighth of Node's heap limit",
    ],
    [
      ['--stdout'],
      { LOG_FORWARDER_PATH: '/tmp/x.log', LOG_FORWARDER_READ_FROM: 'middle' },
      'LOG_FORWARDER_READ_FROM: invalid value',
    ],
  ])('exits 2 on %j %j, naming the problem', async (args, env, message) => {
    const child = run(mainFile, ['--admin-addr', '127.0.0.1:0', ...args], env as Record<string, string>);
    expect(await child.exitCode()).toBe(2);
    // Flag errors come from the option parser as text, setting errors as a JSON log line.
    expect(child.stderr.includes(message) || child.logs.some((l) => String(l.msg).includes(message))).toBe(
      true,
    );
  });

  it.skipIf(!existsSync(bundle))(
    'runs from its bundle: follows a file to an HTTP sink, and on SIGTERM delivers and exits 0',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'lf-bundle-'));
      const log = join(dir, 'app.log');
      writeFileSync(log, 'before\n');
      const sink = await FakeSink.start();
      sinks.push(sink);
      const child = run(bundle, [
        '--path',
        log,
        '--read-from',
        'beginning',
        '--positions-file',
        join(dir, 'positions.json'),
        '--http-url',
        sink.url,
        '--batch-timeout',
        '10s',
        '--admin-addr',
        '127.0.0.1:0',
      ]);
      await child.waitForLog((l) => l.msg === 'ready');
      // Appended, not rewritten: a rewrite truncates first, and a read in between sees a truncation.
      appendFileSync(log, 'after\n');
      // The batch timeout is long: the new line goes out because shutdown reads to the end and flushes.
      child.process.kill('SIGTERM');
      expect(await child.exitCode()).toBe(0);
      expect(sink.accepted).toEqual(['before', 'after']);
    },
  );
});
