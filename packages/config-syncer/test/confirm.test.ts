import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@toolkit/test-helpers';
import { describe, expect, it, onTestFinished } from 'vitest';
import { checkBody, checkRuntimeInfo } from '../src/index.ts';
import {
  adminUrl,
  logsWith,
  makeTempDir,
  saveLikeEditor,
  startServer,
  startSyncer,
  waitForNthLog,
  waitUntil,
} from './helpers.ts';

/** The `published` log line's revision, the nth one (1-based). */
const publishedRevision = (child: Parameters<typeof logsWith>[0], n: number) =>
  logsWith(child, 'published')[n - 1]!.revision as string;

describe('what counts as confirmed', () => {
  const published = {
    revision: '0123456789abcdef',
    writtenHashes: ['a'.repeat(64)],
    publishedAt: Date.parse('2026-01-01T10:00:05.300Z'),
  };
  const runtimeInfo = (success: boolean, time: string) =>
    JSON.stringify({ status: 'success', data: { reloadConfigSuccess: success, lastConfigTime: time } });

  it('revision: the revision or the hash of a written file anywhere in the body, any case', () => {
    expect(checkBody('{"config":"0123456789ABCDEF"}', published).confirmed).toBe(true);
    expect(checkBody(`sha256 ${'a'.repeat(64)}`, published).confirmed).toBe(true);
    expect(checkBody('{"config":"0123456789abcde0"}', published).confirmed).toBe(false);
  });

  it('prometheus: a successful reload in a later second; in the publish second only after an earlier time was seen', () => {
    const fresh = () => ({ lastConfigTime: undefined, sawEarlierConfigTime: false });
    expect(checkRuntimeInfo(runtimeInfo(true, '2026-01-01T10:00:06Z'), published, fresh()).confirmed).toBe(
      true,
    );
    expect(checkRuntimeInfo(runtimeInfo(false, '2026-01-01T10:00:06Z'), published, fresh()).confirmed).toBe(
      false,
    );
    expect(checkRuntimeInfo(runtimeInfo(true, '2026-01-01T10:00:04Z'), published, fresh()).confirmed).toBe(
      false,
    );
    // 10:00:05 may be a reload from before the publish at 10:00:05.3 ...
    const memory = fresh();
    expect(checkRuntimeInfo(runtimeInfo(true, '2026-01-01T10:00:05Z'), published, memory).confirmed).toBe(
      false,
    );
    // ... unless a poll saw an earlier time first: then it changed since.
    expect(checkRuntimeInfo(runtimeInfo(true, '2026-01-01T10:00:04Z'), published, memory).confirmed).toBe(
      false,
    );
    expect(checkRuntimeInfo(runtimeInfo(true, '2026-01-01T10:00:05Z'), published, memory).confirmed).toBe(
      true,
    );
    expect(checkRuntimeInfo('not json', published, fresh())).toEqual({ confirmed: false, state: 'not JSON' });
  });
});

describe('--confirm-url', () => {
  it('polls until the app reports the new revision, which it takes 400 ms to load', async () => {
    const dir = makeTempDir();
    const source = join(dir, 'src');
    mkdirSync(source);
    writeFileSync(join(source, 'app.json'), '{"v":1}');
    // The app: told by the webhook, it reports the new revision at /status only 400 ms later, and
    // not before it has answered two polls with the old one (under load a timer alone may fire only
    // after the polls it was to precede).
    const app = { revision: 'none' };
    let loading: { revision: string; since: number; oldAnswers: number } | undefined;
    const server = await startServer((req, res) => {
      if (req.url === '/reload') {
        const { revision } = JSON.parse(req.body) as { revision: string };
        loading = { revision, since: performance.now(), oldAnswers: 0 };
        return void res.writeHead(204).end();
      }
      if (loading && performance.now() - loading.since >= 400 && loading.oldAnswers >= 2) {
        app.revision = loading.revision;
        loading = undefined;
      }
      if (loading) loading.oldAnswers += 1;
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ config: app.revision }));
    });
    const child = startSyncer([
      ...['--source', source, '--target', join(dir, 'target'), '--debounce', '0s'],
      ...['--notify-url', `${server.url}/reload`, '--confirm-url', `${server.url}/status`],
      ...['--confirm-interval', '50ms'],
    ]);
    const admin = await adminUrl(child);
    const first = await waitForNthLog(child, 'reload confirmed', 1);
    expect(first.revision).toBe(publishedRevision(child, 1));
    expect(first.ms).toBeGreaterThanOrEqual(400);
    // Polled before the app had it: the old answer did not count.
    expect(first.polls).toBeGreaterThan(2);

    saveLikeEditor(join(source, 'app.json'), '{"v":2}');
    const second = await waitForNthLog(child, 'reload confirmed', 2);
    expect(second.revision).toBe(publishedRevision(child, 2));
    expect(second.ms).toBeGreaterThanOrEqual(400);
    const statusPolls = server.requests.filter((request) => request.url === '/status');
    expect(statusPolls.every((request) => request.method === 'GET')).toBe(true);

    const metrics = await (await fetch(`${admin}/metrics`)).text();
    expect(metrics).toContain('config_syncer_confirmations_total{result="confirmed"} 2');
    expect(metrics).toContain(`config_syncer_confirmed_revision_info{revision="${second.revision}"} 1`);
    expect(metrics).not.toContain(`revision="${first.revision}"`);
    expect(metrics).toMatch(/config_syncer_last_confirmed_timestamp_seconds \d/);
  });

  it('takes the sha256 of a file written by the publish as confirmation too', async () => {
    const dir = makeTempDir();
    const source = join(dir, 'src');
    const target = join(dir, 'target');
    mkdirSync(source);
    writeFileSync(join(source, 'app.yaml'), 'v: 1\n');
    writeFileSync(join(source, 'other.yaml'), 'same: true\n');
    // The app reports the hash of the app.yaml it loaded, read from the target when told (by a touch).
    const touch = join(dir, 'reload-now');
    const server = await startServer((_req, res) => {
      let loaded = '';
      try {
        loaded = createHash('sha256')
          .update(readFileSync(join(target, 'app.yaml')))
          .digest('hex');
      } catch {}
      res.writeHead(200).end(`app.yaml sha256 ${loaded}\n`);
    });
    const child = startSyncer([
      ...['--source', source, '--target', target, '--debounce', '0s', '--notify-touch', touch],
      ...['--confirm-url', `${server.url}/config-hash`, '--confirm-interval', '50ms'],
    ]);
    await waitForNthLog(child, 'reload confirmed', 1);
    // Only other.yaml changes: the app's report (app.yaml's hash, written by the first publish, not by
    // this one) does not confirm it.
    saveLikeEditor(join(source, 'other.yaml'), 'same: false\n');
    saveLikeEditor(join(source, 'app.yaml'), 'v: 2\n');
    const confirmed = await waitForNthLog(child, 'reload confirmed', 2);
    expect(confirmed.revision).toBe(logsWith(child, 'published').at(-1)!.revision);
  });

  it('an app that never reports the revision: logged and counted after --confirm-timeout, and the program goes on', async () => {
    const dir = makeTempDir();
    const source = join(dir, 'src');
    mkdirSync(source);
    writeFileSync(join(source, 'app.json'), '{"v":1}');
    const server = await startServer((_req, res) => res.writeHead(200).end('{"config":"stuck"}'));
    const child = startSyncer([
      ...['--source', source, '--target', join(dir, 'target'), '--debounce', '0s'],
      ...['--confirm-url', `${server.url}/status`, '--confirm-timeout', '1s', '--confirm-interval', '100ms'],
    ]);
    const admin = await adminUrl(child);
    const started = performance.now();
    const missed = await waitForNthLog(
      child,
      'reload not confirmed: the app did not report the new revision in time',
      1,
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    expect(missed).toMatchObject({ level: 'warn', revision: publishedRevision(child, 1), timeoutMs: 1000 });
    expect(missed.polls).toBeGreaterThanOrEqual(5);
    expect(missed.last).toContain('stuck');

    // Still running: the next change is published (and polled for, until its own timeout).
    saveLikeEditor(join(source, 'app.json'), '{"v":2}');
    await waitForNthLog(child, 'published', 2);
    expect((await fetch(`${admin}/livez`)).status).toBe(200);
    await waitForNthLog(child, 'reload not confirmed: the app did not report the new revision in time', 2);
    const metrics = await (await fetch(`${admin}/metrics`)).text();
    expect(metrics).toContain('config_syncer_confirmations_total{result="timeout"} 2');
    expect(metrics).not.toContain('result="confirmed"');
    expect(child.process.exitCode).toBeNull();
  });

  it('a bad --confirm-url or timeout exits 2 naming the option', async () => {
    const dir = makeTempDir();
    const cases = [
      ['--confirm-url', 'ftp://x'],
      ['--confirm-timeout', '0s'],
      ['--confirm-by', 'magic'],
    ];
    const children = cases.map((args) => startSyncer(['--source', dir, '--target', join(dir, 't'), ...args]));
    for (const [i, child] of children.entries()) {
      expect(await child.exitCode()).toBe(2);
      expect(child.stderr).toContain(cases[i]![0]);
    }
  });
});

// Debian's prometheus, installed by scripts/ensure-prometheus.sh (CI fails without it; elsewhere skipped).
const prometheusMissing = spawnSync('prometheus', ['--version']).error;
if (prometheusMissing && process.env.CI === 'true') {
  throw new Error('prometheus is missing: bash scripts/ensure-prometheus.sh installs it');
}

const prometheusConfig = (scrapeInterval: string, jobs: string[] = ['self']) =>
  `global:\n  scrape_interval: ${scrapeInterval}\nscrape_configs:\n${jobs
    .map((job) => `  - job_name: ${job}\n    static_configs: [{ targets: ['127.0.0.1:9'] }]\n`)
    .join('')}`;

describe.skipIf(prometheusMissing !== undefined)('--confirm-by prometheus, with a real Prometheus', () => {
  it('reloads it through /-/reload and confirms through runtimeinfo; a config it rejects is never confirmed', async () => {
    const dir = makeTempDir();
    const source = join(dir, 'src');
    const target = join(dir, 'target');
    mkdirSync(source);
    writeFileSync(join(source, 'prometheus.yml'), prometheusConfig('15s'));
    const port = await freePort();
    const api = `http://127.0.0.1:${port}`;
    const child = startSyncer([
      ...['--source', source, '--target', target, '--debounce', '0s'],
      ...['--notify-url', `${api}/-/reload`, '--notify-backoff', '200ms', '--notify-backoff-max', '1s'],
      ...['--confirm-url', `${api}/api/v1/status/runtimeinfo`, '--confirm-by', 'prometheus'],
      ...['--confirm-timeout', '6s', '--confirm-interval', '200ms'],
    ]);
    const admin = await adminUrl(child);
    await waitForNthLog(child, 'published', 1);
    let prometheusLog = '';
    const prometheus: ChildProcess = spawn(
      'prometheus',
      [
        `--config.file=${join(target, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.enable-lifecycle',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stdout!.on('data', (chunk: Buffer) => {
      prometheusLog += chunk;
    });
    prometheus.stderr!.on('data', (chunk: Buffer) => {
      prometheusLog += chunk;
    });
    onTestFinished(async () => {
      if (prometheus.exitCode !== null) return;
      const exited = new Promise((resolve) => prometheus.once('exit', resolve));
      prometheus.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (prometheus.exitCode === null) prometheus.kill('SIGKILL');
    });
    await waitUntil(
      async () => (await fetch(`${api}/-/ready`).catch(() => undefined))?.status === 200,
      30_000,
      `prometheus ready\n${prometheusLog.slice(-2000)}`,
    );
    // runtimeinfo's lastConfigTime has whole seconds: change the config in a later second than the
    // start-up load, as a config change would come.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const confirmedRevision = (revision: string) =>
      child.waitForLog((line) => line.msg === 'reload confirmed' && line.revision === revision, 20_000);

    saveLikeEditor(join(source, 'prometheus.yml'), prometheusConfig('30s'));
    await waitForNthLog(child, 'published', 2);
    await confirmedRevision(publishedRevision(child, 2));
    const loaded = (await (await fetch(`${api}/api/v1/status/config`)).json()) as { data: { yaml: string } };
    expect(loaded.data.yaml).toContain('scrape_interval: 30s');

    // Valid YAML that Prometheus refuses (two jobs of one name): its reload fails, nothing confirms it.
    saveLikeEditor(join(source, 'prometheus.yml'), prometheusConfig('30s', ['self', 'self']));
    await waitForNthLog(child, 'published', 3);
    const missed = await child.waitForLog(
      (line) =>
        String(line.msg).startsWith('reload not confirmed') && line.revision === publishedRevision(child, 3),
      20_000,
    );
    expect(missed.last).toContain('reloadConfigSuccess false');
    const metrics = await (await fetch(`${admin}/metrics`)).text();
    // The first publish, made before Prometheus started, may be confirmed by its start-up load or not.
    expect(metrics).toMatch(/config_syncer_confirmations_total\{result="confirmed"\} [12]\n/);
    expect(metrics).toContain(
      `config_syncer_confirmed_revision_info{revision="${publishedRevision(child, 2)}"} 1`,
    );
    expect(metrics).toMatch(/config_syncer_confirmations_total\{result="timeout"\} [12]\n/);
  }, 90_000);
});
