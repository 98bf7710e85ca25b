import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  adminUrl,
  logsWith,
  makeTempDir,
  startServer,
  startSyncer,
  waitForNthLog,
  waitUntil,
  writeConfigMap,
} from './helpers.ts';

const skippedLinkMessage =
  'source symlink skipped: it leads out of the source directory, so it is not published';

function makeSource(dir: string, files: Record<string, string>): string {
  const source = join(dir, 'src');
  mkdirSync(source, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(source, name), content);
  return source;
}

describe('inputs someone else controls', () => {
  it('a manifest naming a file outside the target (../victim.txt) is ignored and logged; nothing outside is removed', async () => {
    const dir = makeTempDir();
    const source = makeSource(dir, { 'a.yaml': 'a: 1\n' });
    const target = join(dir, 'target');
    mkdirSync(target);
    writeFileSync(join(dir, 'victim.txt'), 'beside the target');
    writeFileSync(join(target, 'theirs.conf'), 'in the target, not ours');
    // Anyone who can write the shared target can write the manifest.
    writeFileSync(
      join(target, '.config-syncer-manifest'),
      JSON.stringify({ writer: 'config-syncer', files: ['../victim.txt', 'theirs.conf'] }),
    );
    const once = startSyncer(['--source', source, '--target', target, '--once']);
    expect(await once.exitCode()).toBe(0);
    expect(readFileSync(join(dir, 'victim.txt'), 'utf8')).toBe('beside the target');
    expect(readFileSync(join(target, 'theirs.conf'), 'utf8')).toBe('in the target, not ours');
    expect(readFileSync(join(target, 'a.yaml'), 'utf8')).toBe('a: 1\n');
    const warning = once.logs.find(
      (line) => line.msg === 'manifest ignored: no file will be removed until it is rewritten',
    );
    expect(String(warning?.problem)).toMatch(/"\.\.\/victim\.txt"/);
    // Rewritten with the syncer's own names only.
    expect(JSON.parse(readFileSync(join(target, '.config-syncer-manifest'), 'utf8')).files).toEqual([
      'a.yaml',
    ]);
  });

  it('a link planted in the target under a published name is replaced by the file, even when it leads to the same content', async () => {
    const dir = makeTempDir();
    const source = makeSource(dir, { 'a.yaml': 'a: 1\n' });
    const target = join(dir, 'target');
    mkdirSync(target);
    // Someone who can write the target links a published name to a file they control: same content
    // today, theirs to change tomorrow. The app must read the syncer's file, not theirs.
    writeFileSync(join(dir, 'planted.yaml'), 'a: 1\n');
    symlinkSync(join(dir, 'planted.yaml'), join(target, 'a.yaml'));
    const once = startSyncer(['--source', source, '--target', target, '--once']);
    expect(await once.exitCode(60_000)).toBe(0);
    expect(lstatSync(join(target, 'a.yaml')).isFile()).toBe(true);
    expect(readFileSync(join(target, 'a.yaml'), 'utf8')).toBe('a: 1\n');
    expect(readFileSync(join(dir, 'planted.yaml'), 'utf8')).toBe('a: 1\n');
  });

  it('a source symlink leaving the source directory is not published; links inside it and a ConfigMap volume are', async () => {
    const dir = makeTempDir();
    writeFileSync(join(dir, 'secret.txt'), 'outside the source');
    const source = makeSource(dir, { 'a.yaml': 'a: 1\n' });
    symlinkSync('/etc/passwd', join(source, 'passwd'));
    symlinkSync(join(dir, 'secret.txt'), join(source, 'secret.txt'));
    symlinkSync('a.yaml', join(source, 'b.yaml'));
    const target = join(dir, 'target');
    const once = startSyncer(['--source', source, '--target', target, '--once']);
    expect(await once.exitCode()).toBe(0);
    expect(readdirSync(target).sort()).toEqual(['.config-syncer-manifest', 'a.yaml', 'b.yaml']);
    expect(readFileSync(join(target, 'b.yaml'), 'utf8')).toBe('a: 1\n');
    // Each skipped link is said, with where it leads.
    const skipped = logsWith(once, skippedLinkMessage).map((line) => [line.file, line.leadsTo]);
    expect(skipped).toEqual([
      ['passwd', '/etc/passwd'],
      ['secret.txt', join(realpathSync(dir), 'secret.txt')],
    ]);

    // The kubelet's layout: `key → ..data/key`, `..data → ..<version>`.
    const volume = join(dir, 'configmap');
    mkdirSync(volume);
    writeConfigMap(volume, { 'app.json': '{"a":1}' });
    const fromVolume = join(dir, 'target-volume');
    const volumeOnce = startSyncer(['--source', volume, '--target', fromVolume, '--once']);
    expect(await volumeOnce.exitCode()).toBe(0);
    expect(readFileSync(join(fromVolume, 'app.json'), 'utf8')).toBe('{"a":1}');
  });

  it('a skipped source symlink is logged once, not at every resync, and again when it changes; the gauge counts them', async () => {
    const dir = makeTempDir();
    writeFileSync(join(dir, 'one.txt'), 'outside');
    writeFileSync(join(dir, 'two.txt'), 'outside too');
    const source = makeSource(dir, { 'a.yaml': 'a: 1\n' });
    symlinkSync(join(dir, 'one.txt'), join(source, 'outside.txt'));
    const args = ['--source', source, '--target', join(dir, 'target'), '--debounce', '0s'];
    const child = startSyncer([...args, '--resync-interval', '100ms']);
    const admin = await adminUrl(child);
    const metric = async (pattern: RegExp) =>
      Number(pattern.exec(await (await fetch(`${admin}/metrics`)).text())?.[1] ?? Number.NaN);
    // Several resyncs, each reading the source again.
    await waitUntil(async () => (await metric(/config_syncer_syncs_total\{result="unchanged"\} (\d+)/)) >= 3);
    expect(logsWith(child, skippedLinkMessage)).toHaveLength(1);
    expect(await metric(/config_syncer_source_links_skipped\{source="[^"]+"\} (\d+)/)).toBe(1);

    rmSync(join(source, 'outside.txt'));
    symlinkSync(join(dir, 'two.txt'), join(source, 'outside.txt'));
    symlinkSync('/etc/passwd', join(source, 'passwd'));
    await waitUntil(() => logsWith(child, skippedLinkMessage).length >= 3);
    const unchanged = await metric(/config_syncer_syncs_total\{result="unchanged"\} (\d+)/);
    await waitUntil(
      async () => (await metric(/config_syncer_syncs_total\{result="unchanged"\} (\d+)/)) >= unchanged + 3,
    );
    const leadsTo = logsWith(child, skippedLinkMessage).map((line) => String(line.leadsTo));
    expect(leadsTo.sort()).toEqual(
      ['/etc/passwd', join(realpathSync(dir), 'one.txt'), join(realpathSync(dir), 'two.txt')].sort(),
    );
    expect(await metric(/config_syncer_source_links_skipped\{source="[^"]+"\} (\d+)/)).toBe(2);
    expect(readdirSync(join(dir, 'target')).sort()).toEqual(['.config-syncer-manifest', 'a.yaml']);
  });

  it('a source file over --max-file-bytes fails the sync and nothing is published; the default takes MiB files', async () => {
    const dir = makeTempDir();
    const source = makeSource(dir, { 'small.txt': 'x', 'big.txt': 'y'.repeat(2 * 1024 * 1024) });
    const target = join(dir, 'target');
    const capped = startSyncer([
      '--source',
      source,
      '--target',
      target,
      '--once',
      '--max-file-bytes',
      '1048576',
    ]);
    expect(await capped.exitCode()).toBe(1);
    expect(capped.stderr).toMatch(/big\.txt is 2097152 bytes, over --max-file-bytes 1048576/);
    expect(existsSync(join(target, 'small.txt'))).toBe(false);

    const fine = startSyncer(['--source', source, '--target', target, '--once']);
    expect(await fine.exitCode()).toBe(0);
    expect(statSync(join(target, 'big.txt')).size).toBe(2 * 1024 * 1024);
  });
});

describe('one-shot modes', () => {
  it('--once publishes and exits 0 without watching; an invalid config exits 1 and publishes nothing', async () => {
    const dir = makeTempDir();
    const source = makeSource(dir, { 'a.yaml': 'a: 1\n' });
    const target = join(dir, 'target');
    const once = startSyncer(['--source', source, '--target', target, '--once', '--file-mode', '0600']);
    expect(await once.exitCode()).toBe(0);
    expect(readFileSync(join(target, 'a.yaml'), 'utf8')).toBe('a: 1\n');
    expect(statSync(join(target, 'a.yaml')).mode & 0o777).toBe(0o600);

    writeFileSync(join(source, 'a.yaml'), 'a: [1\n');
    const bad = startSyncer(['--source', source, '--target', target, '--once']);
    expect(await bad.exitCode()).toBe(1);
    expect(readFileSync(join(target, 'a.yaml'), 'utf8')).toBe('a: 1\n');
  });

  it('--once fetches a URL source once; a source error exits 1', async () => {
    const dir = makeTempDir();
    const state = { up: true };
    const server = await startServer((_req, res) =>
      state.up ? res.writeHead(200).end('{"from":"url"}') : res.writeHead(500).end(),
    );
    const target = join(dir, 'target');
    const once = startSyncer(['--source', `${server.url}/v1/app.json`, '--target', target, '--once']);
    expect(await once.exitCode()).toBe(0);
    expect(readFileSync(join(target, 'app.json'), 'utf8')).toBe('{"from":"url"}');
    state.up = false;
    const failing = startSyncer(['--source', `${server.url}/v1/app.json`, '--target', target, '--once']);
    expect(await failing.exitCode()).toBe(1);
    expect(readFileSync(join(target, 'app.json'), 'utf8')).toBe('{"from":"url"}');
  });

  it('--dry-run prints what would change and writes nothing', async () => {
    const dir = makeTempDir();
    const source = makeSource(dir, { 'new.json': '{}', 'same.txt': 'same' });
    const target = join(dir, 'target');
    mkdirSync(target);
    writeFileSync(join(target, 'same.txt'), 'same');
    const child = startSyncer(['--source', source, '--target', target, '--once', '--dry-run']);
    expect(await child.exitCode()).toBe(0);
    expect(child.stdout).toMatch(/^would create new\.json \(2 bytes, sha256 [0-9a-f]{12}\)\n$/);
    expect(readdirSync(target)).toEqual(['same.txt']);
  });

  it('bad option values exit 2 and say which option', async () => {
    const dir = makeTempDir();
    const cases = [
      ['--file-mode', '999'],
      ['--notify-status', '2xy'],
      ['--notify-url', 'ftp://x'],
      ['--debounce', 'soon'],
      ['--poll-interval', '0s'],
      ['--fsync', 'sometimes'],
    ];
    const children = cases.map((args) => startSyncer(['--source', dir, '--target', join(dir, 't'), ...args]));
    for (const [i, child] of children.entries()) {
      expect(await child.exitCode()).toBe(2);
      expect(child.stderr).toContain(cases[i]![0]);
    }
  });
});

describe('running', () => {
  it('is ready only after the first successful sync and serves its metrics', async () => {
    const dir = makeTempDir();
    const state = { up: false };
    const server = await startServer((_req, res) =>
      state.up
        ? res.writeHead(200, { 'last-modified': 'Mon, 01 Jan 2024 00:00:00 GMT' }).end('k = "v"')
        : res.writeHead(502).end(),
    );
    const child = startSyncer([
      '--source',
      `${server.url}/app.toml`,
      '--target',
      join(dir, 'target'),
      '--poll-interval',
      '50ms',
    ]);
    const admin = await adminUrl(child);
    await child.waitForLog((l) => l.msg === 'source fetch failed; keeping the last good config');
    expect((await fetch(`${admin}/readyz`)).status).toBe(503);
    state.up = true;
    await child.waitForLog((l) => l.msg === 'ready');
    expect((await fetch(`${admin}/readyz`)).status).toBe(200);
    expect(readFileSync(join(dir, 'target', 'app.toml'), 'utf8')).toBe('k = "v"');
    await waitUntil(() =>
      server.requests.some((r) => r.headers['if-modified-since'] === 'Mon, 01 Jan 2024 00:00:00 GMT'),
    );

    const metrics = await (await fetch(`${admin}/metrics`)).text();
    for (const name of [
      'config_syncer_syncs_total{result="changed"} 1',
      'config_syncer_publishes_total 1',
      'config_syncer_files_written_total 1',
      'config_syncer_managed_files 1',
      'config_syncer_last_sync_successful 1',
      `config_syncer_source_errors_total{source="${server.url}/app.toml"}`,
      `config_syncer_source_fetches_total{source="${server.url}/app.toml",result="modified"} 1`,
      'config_syncer_last_sync_success_timestamp_seconds',
      'config_syncer_last_publish_timestamp_seconds',
      'config_syncer_sync_duration_seconds_bucket',
      'config_syncer_build_info',
    ]) {
      expect(metrics).toContain(name);
    }
  });

  const padded = (v: number, i: number) => `{"v":${v},"i":${i},"pad":"${'x'.repeat(64 * 1024)}"}`;

  /**
   * A ConfigMap of 150 files of 64 KiB, synced, then swapped to version 2 at once (so a single publish
   * carries every file); resolves when that publish has begun.
   */
  async function startBigPublish(dir: string) {
    const version = (v: number) =>
      Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`f${i}.json`, padded(v, i)]));
    const source = join(dir, 'configmap');
    writeConfigMap(source, version(1));
    const target = join(dir, 'target');
    const args = ['--source', source, '--target', target, '--log-level', 'debug', '--debounce', '0s'];
    const child = startSyncer(args);
    await waitForNthLog(child, 'published', 1);
    writeConfigMap(source, version(2));
    await waitForNthLog(child, 'publishing', 2);
    return { child, target, args };
  }

  const versionsIn = (target: string) =>
    Array.from(
      { length: 150 },
      (_, i) => JSON.parse(readFileSync(join(target, `f${i}.json`), 'utf8')).v as number,
    );

  it('SIGTERM in the middle of a publish lets it finish: no partial file, no temp file, exit 0', async () => {
    const { child, target } = await startBigPublish(makeTempDir());
    child.process.kill('SIGTERM');
    expect(await child.exitCode()).toBe(0);
    const messages = child.logs.map((l) => l.msg);
    // The signal came while files were being written, and the publish completed before the exit.
    expect(messages.indexOf('shutting down')).toBeLessThan(messages.lastIndexOf('published'));
    expect(new Set(versionsIn(target))).toEqual(new Set([2]));
    expect(readdirSync(target).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('SIGKILL in the middle of a publish leaves whole files only; the restart clears temp files', async () => {
    const { child, target, args } = await startBigPublish(makeTempDir());
    child.process.kill('SIGKILL');
    await child.exitCode();
    // Each file is the old version or the new one, whole (it parses), never a mix.
    for (const v of versionsIn(target)) expect([1, 2]).toContain(v);

    const restarted = startSyncer(args);
    await restarted.waitForLog((l) => l.msg === 'ready');
    expect(new Set(versionsIn(target))).toEqual(new Set([2]));
    expect(readdirSync(target).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
