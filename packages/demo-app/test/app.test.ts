// The demo app as shipped (its bundle), as the demos run it: a real process, real files, real signals.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForValue } from '@toolkit/test-helpers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const repoRoot = join(import.meta.dirname, '../../..');
const bundle = join(repoRoot, 'packages/demo-app/dist/demo-app.mjs');
let dir: string;
let app: ChildProcess;
let base: string;
let stderr = '';

/** Waits for the app to show something; the app's stderr is in the error. */
const until = <T>(probe: () => Promise<T | undefined>): Promise<T> =>
  waitForValue(probe, { ms: 10_000, what: 'the app' }).catch((error) => {
    throw new Error(`${(error as Error).message}; stderr:\n${stderr}`);
  });

interface Status {
  config: { message: string | null; reloads: number };
  accessLog: { lines: number };
  inbox: { received: number; requests: number };
}
const status = async () => (await (await fetch(`${base}/-/status`)).json()) as Status;

beforeAll(async () => {
  const built = spawnSync(process.execPath, ['scripts/build.ts', 'demo-app'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  expect(built.status, built.stderr).toBe(0);
  dir = mkdtempSync(join(tmpdir(), 'demo-app-run-'));
  writeFileSync(join(dir, 'app.json'), '{"message": "first"}');
  app = spawn(
    process.execPath,
    [
      bundle,
      '--addr=127.0.0.1:0',
      '--workers=idle',
      `--access-log=${join(dir, 'access.log')}`,
      `--config=${join(dir, 'app.json')}`,
      `--content=${join(dir, 'current')}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  app.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const address = await until(async () => /"address":"([^"]+)"/.exec(stderr)?.[1]);
  base = `http://${address}`;
});
afterAll(() => {
  app.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('demo-app', () => {
  test('its comm is demo-app: what topz shows and config-syncer --notify-process names', () => {
    expect(readFileSync(`/proc/${app.pid}/comm`, 'utf8').trim()).toBe('demo-app');
  });

  test('reloads its config on SIGHUP and on POST /-/reload, not before', async () => {
    expect((await status()).config).toMatchObject({ message: 'first', reloads: 0 });
    writeFileSync(join(dir, 'app.json'), '{"message": "second"}');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await status()).config.message).toBe('first');
    app.kill('SIGHUP');
    await until(async () => ((await status()).config.message === 'second' ? true : undefined));

    writeFileSync(join(dir, 'app.json'), '{"message": "third"}');
    const reload = await fetch(`${base}/-/reload`, { method: 'POST', body: '{"revision":"abc"}' });
    expect(reload.status).toBe(200);
    expect((await status()).config).toMatchObject({
      message: 'third',
      reloads: 2,
      reason: 'http',
      revision: 'abc',
    });
    expect(await (await fetch(`${base}/`)).text()).toContain('config: "third"');

    writeFileSync(join(dir, 'app.json'), 'not json');
    expect((await fetch(`${base}/-/reload`, { method: 'POST' })).status).toBe(500);
    expect((await status()).config.message).toBe('third');
    expect((await fetch(`${base}/-/reload`)).status).toBe(405);
  });

  test('writes one access-log line per request, not for probes or its own /-/ routes', async () => {
    const before = (await status()).accessLog.lines;
    await fetch(`${base}/livez`);
    await fetch(`${base}/-/status`);
    const res = await fetch(`${base}/some/page`, { headers: { 'x-request-id': 'req-42' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('x-request-id')).toBe('req-42');
    // The line is written once the answer is sent (nginx's log phase too), so it may land just after.
    const accessLogLines = async () => readFileSync(join(dir, 'access.log'), 'utf8').trimEnd().split('\n');
    await until(async () => ((await accessLogLines()).length > before ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 100)); // a wrong extra line would land by now
    const lines = await accessLogLines();
    expect(lines.length).toBe(before + 1);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({
      id: 'req-42',
      method: 'GET',
      path: '/some/page',
      status: 404,
    });
  });

  test('takes log records at POST /-/logs and shows them at GET /-/logs', async () => {
    const ok = await fetch(`${base}/-/logs`, { method: 'POST', body: '{"line":"a"}\n{"line":"b"}\n' });
    expect(await ok.json()).toEqual({ accepted: 2 });
    expect((await fetch(`${base}/-/logs`, { method: 'POST', body: 'nope' })).status).toBe(400);
    expect(await (await fetch(`${base}/-/logs?limit=1`)).text()).toBe('{"line":"b"}\n');
    expect((await status()).inbox).toEqual({ received: 2, requests: 1 });
  });

  test('/content/ answers 503 until the link exists', async () => {
    const res = await fetch(`${base}/content/`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('nothing published');
  });
});
