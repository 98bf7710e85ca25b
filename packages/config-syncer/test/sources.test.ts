import { existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeRevision, hashContent } from '../src/index.ts';
import {
  logsWith,
  makeTempDir,
  saveLikeEditor,
  startServer,
  startSyncer,
  waitForNthLog,
  waitUntil,
  writeConfigMap,
} from './helpers.ts';

const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined);

describe('a ConfigMap volume as source', () => {
  it('follows ..data swaps: new content, removed keys, one notification per swap', async () => {
    const dir = makeTempDir();
    const source = join(dir, 'configmap');
    const target = join(dir, 'target');
    writeConfigMap(source, { 'app.yaml': 'level: 1\n', 'extra.json': '{"on":true}' });
    const hook = await startServer((_req, res) => res.writeHead(204).end());
    const child = startSyncer(['--source', source, '--target', target, '--notify-url', `${hook.url}/reload`]);
    await waitForNthLog(child, 'app notified', 1);
    expect(read(join(target, 'app.yaml'))).toBe('level: 1\n');
    // Files someone else put in the target are never the syncer's to remove.
    writeFileSync(join(target, 'mine.conf'), 'not yours');

    writeConfigMap(source, { 'app.yaml': 'level: 2\n' });
    await waitForNthLog(child, 'app notified', 2);
    expect(read(join(target, 'app.yaml'))).toBe('level: 2\n');
    expect(read(join(target, 'extra.json'))).toBeUndefined();
    expect(read(join(target, 'mine.conf'))).toBe('not yours');
    // Published files are regular files, not links into the source volume.
    expect(() => readlinkSync(join(target, 'app.yaml'))).toThrow();

    const second = JSON.parse(hook.requests[1]!.body);
    expect(second).toMatchObject({ changed: ['app.yaml'], removed: ['extra.json'] });
    expect(hook.requests[1]!.headers['x-config-revision']).toBe(second.revision);

    // The same bytes again (the kubelet rewrites on unrelated changes): nothing is published.
    writeConfigMap(source, { 'app.yaml': 'level: 2\n' });
    writeConfigMap(source, { 'app.yaml': 'level: 3\n' });
    await waitForNthLog(child, 'app notified', 3);
    expect(logsWith(child, 'published')).toHaveLength(3);
    expect(hook.requests).toHaveLength(3);
  });
  it('publishes each swap of a ten-file ConfigMap whole: at each notification every file is of the notified revision', async () => {
    const dir = makeTempDir();
    const source = join(dir, 'configmap');
    const target = join(dir, 'target');
    const names = Array.from({ length: 10 }, (_, i) => `file-${i}.json`);
    const revisionFiles = (revision: number) =>
      Object.fromEntries(names.map((name) => [name, JSON.stringify({ revision, pad: 'x'.repeat(4000) })]));
    writeConfigMap(source, revisionFiles(0));
    /** What the app finds when told: each file's revision, and the revision id it was sent. */
    const seen: { revisions: number[]; told: string; hash: string }[] = [];
    const hook = await startServer((req, res) => {
      const contents = names.map((name) => readFileSync(join(target, name)));
      seen.push({
        revisions: contents.map(
          (content) => (JSON.parse(content.toString()) as { revision: number }).revision,
        ),
        told: JSON.parse(req.body).revision,
        hash: computeRevision(new Map(names.map((name, i) => [name, hashContent(contents[i]!)]))),
      });
      res.writeHead(204).end();
    });
    const child = startSyncer([
      '--source',
      source,
      '--target',
      target,
      '--debounce',
      '0s',
      '--notify-url',
      hook.url,
    ]);
    await waitForNthLog(child, 'app notified', 1);
    for (let revision = 1; revision <= 20; revision++) {
      writeConfigMap(source, revisionFiles(revision));
      await waitForNthLog(child, 'app notified', revision + 1);
    }
    expect(seen.map((set) => set.revisions)).toEqual(
      Array.from({ length: 21 }, (_, revision) => names.map(() => revision)),
    );
    // The revision sent is the hash of the set as published: an app (or --confirm-url) can compare it.
    for (const set of seen) expect(set.told).toBe(set.hash);

    // A burst of swaps with no pause: whatever is published in between, the last set ends up whole.
    for (let revision = 21; revision <= 30; revision++) writeConfigMap(source, revisionFiles(revision));
    await waitUntil(() => seen.at(-1)?.revisions.every((revision) => revision === 30) === true, 15_000);
    expect(names.map((name) => JSON.parse(readFileSync(join(target, name), 'utf8')).revision)).toEqual(
      names.map(() => 30),
    );
  });
});

describe('a plain directory as source', () => {
  it('picks up editor saves (temp file + rename) and ignores the temp files', async () => {
    const dir = makeTempDir();
    const source = join(dir, 'src');
    const target = join(dir, 'target');
    mkdirSync(source);
    writeFileSync(join(source, 'app.toml'), 'port = 1\n');
    const touch = join(dir, 'reload-trigger');
    const child = startSyncer([
      '--source',
      source,
      '--target',
      target,
      '--notify-touch',
      touch,
      '--debounce',
      '0s',
    ]);
    await waitForNthLog(child, 'app notified', 1);
    expect(existsSync(touch)).toBe(true);

    saveLikeEditor(join(source, 'app.toml'), 'port = 2\n');
    await waitUntil(() => read(join(target, 'app.toml')) === 'port = 2\n', 10_000, 'the editor save');
    writeFileSync(join(source, 'notes.swp'), 'swap file');
    saveLikeEditor(join(source, 'new.yaml'), 'a: b\n');
    await waitUntil(() => read(join(target, 'new.yaml')) === 'a: b\n', 10_000, 'the new file');
    expect(read(join(target, 'notes.swp'))).toBeUndefined();
    expect(read(join(target, 'app.toml.swp'))).toBeUndefined();
  });
  it('waits for a directory missing at start, and follows it when it is replaced', async () => {
    const dir = makeTempDir();
    const source = join(dir, 'src');
    const target = join(dir, 'target');
    const child = startSyncer(['--source', source, '--target', target, '--debounce', '0s']);
    await child.waitForLog((l) => l.msg === 'cannot read source; keeping the last good config');
    mkdirSync(source);
    await child.waitForLog((l) => l.msg === 'source directory appeared; watching it');
    writeFileSync(join(source, 'a.json'), '{"v":1}');
    await waitUntil(() => read(join(target, 'a.json')) === '{"v":1}', 10_000, 'the first file');
    rmSync(source, { recursive: true });
    mkdirSync(source);
    writeFileSync(join(source, 'a.json'), '{"v":2}');
    await waitUntil(
      () => read(join(target, 'a.json')) === '{"v":2}',
      10_000,
      'the file in the new directory',
    );
  });
});

describe('an HTTP(S) URL as source', () => {
  it('polls with If-None-Match, publishes changes, and backs off on errors keeping the last good file', async () => {
    const dir = makeTempDir();
    const target = join(dir, 'target');
    const state = { version: 1, failing: false };
    const server = await startServer((req, res) => {
      if (state.failing) return void res.writeHead(500).end('down');
      const etag = `"v${state.version}"`;
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304).end();
      res.writeHead(200, { etag, 'content-type': 'application/json' }).end(`{"version":${state.version}}`);
    });
    const child = startSyncer([
      '--source',
      `settings.json=${server.url}/config?token=abc`,
      '--target',
      target,
      '--poll-interval',
      '100ms',
    ]);
    await waitForNthLog(child, 'published', 1);
    expect(read(join(target, 'settings.json'))).toBe('{"version":1}');
    await waitUntil(() => server.requests.filter((r) => r.headers['if-none-match'] === '"v1"').length >= 3);

    state.version = 2;
    await waitForNthLog(child, 'published', 2);
    expect(read(join(target, 'settings.json'))).toBe('{"version":2}');

    state.failing = true;
    const failure = 'source fetch failed; keeping the last good config';
    await waitForNthLog(child, failure, 3);
    const failures = logsWith(child, failure);
    const waits = failures.map((l) => l.retryInMs as number);
    // Backoff: each wait is at least half of a doubling step (equal jitter).
    expect(waits[2]!).toBeGreaterThanOrEqual(waits[0]! * 0.9);
    expect(JSON.stringify(failures)).not.toContain('token=abc');
    expect(read(join(target, 'settings.json'))).toBe('{"version":2}');
    state.failing = false;
    await child.waitForLog((l) => l.msg === 'source reachable again');
  });
});

describe('credentials and redirects of a URL source', () => {
  it.each([
    ['user:password in the URL', (url: string) => url.replace('http://', 'http://reader:s3cret@'), []],
    ['--source-token', (url: string) => url, ['--source-token', 's3cret-token']],
  ])('%s: sent to the source, not to another origin it redirects to', async (_, withCredentials, extra) => {
    const target = join(makeTempDir(), 'target');
    // Another port of 127.0.0.1 is another origin: fetch must drop Authorization on the way there.
    const elsewhere = await startServer((_req, res) => res.writeHead(200).end('moved: yes\n'));
    const source = await startServer((_req, res) =>
      res.writeHead(302, { location: `${elsewhere.url}/moved.yaml` }).end(),
    );
    const child = startSyncer([
      ...['--source', `app.yaml=${withCredentials(source.url)}/app.yaml`, '--target', target, '--once'],
      ...extra,
    ]);
    expect(await child.exitCode(30_000)).toBe(0);
    expect(read(join(target, 'app.yaml'))).toBe('moved: yes\n');
    expect(source.requests[0]?.headers.authorization).toMatch(/^(Basic|Bearer) /);
    expect(elsewhere.requests).toHaveLength(1);
    expect(elsewhere.requests[0]?.headers.authorization).toBeUndefined();
    expect(child.stderr).not.toContain('s3cret');
  });
});
