import { spawn } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir, startSyncer, waitForNthLog, waitUntil, writeConfigMap } from './helpers.ts';

const fileCount = 10;
const revisions = 50;

/** Ten files, each carrying the revision number (and some padding, so a write is not instant). */
function revisionFiles(revision: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < fileCount; i++) files[`f${i}.conf`] = `revision ${revision}\n${'x'.repeat(4096)}\n`;
  return files;
}

/**
 * A reader in its own process, as the app would be: reads every file of the set in a loop until
 * `stop` appears, and prints how many sets it read, how many mixed two revisions, and read errors.
 * `resolve`: resolves the link once per set (what the README tells the app to do); `direct`: opens
 * each file by its path under the target.
 */
const readerScript = `
const { readFileSync, realpathSync, existsSync } = require('node:fs');
const [target, stop, mode, count] = process.argv.slice(1);
let sets = 0, mixed = 0, errors = 0;
const started = Date.now();
while (!existsSync(stop) && Date.now() - started < 120000) {
  try {
    const dir = mode === 'resolve' ? realpathSync(target) : target;
    const seen = new Set();
    for (let i = 0; i < Number(count); i++) seen.add(readFileSync(dir + '/f' + i + '.conf', 'utf8').split('\\n')[0]);
    sets += 1;
    if (seen.size > 1) mixed += 1;
  } catch (error) {
    errors += 1;
  }
}
process.stdout.write(JSON.stringify({ sets, mixed, errors }));
`;

function startReader(target: string, stop: string, mode: 'resolve' | 'direct') {
  const child = spawn(process.execPath, ['-e', readerScript, target, stop, mode, String(fileCount)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk) => {
    out += chunk;
  });
  return new Promise<{ sets: number; mixed: number; errors: number }>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', () => resolve(JSON.parse(out)));
  });
}

/** Publishes `revisions` revisions of the set through a syncer while a reader reads them. */
async function publishUnderReader(layout: 'files' | 'link', mode: 'resolve' | 'direct') {
  const dir = makeTempDir();
  const source = join(dir, 'src');
  const target = join(dir, 'target');
  const stop = join(dir, 'stop');
  mkdirSync(source);
  // A ConfigMap-shaped source: the syncer reads one revision of it whole, so any mix comes from
  // publishing, not from reading the source half-way through a change.
  writeConfigMap(source, revisionFiles(0));
  const child = startSyncer([
    '--source',
    source,
    '--target',
    target,
    '--publish-layout',
    layout,
    '--debounce',
    '0s',
  ]);
  await waitForNthLog(child, 'published', 1);
  const reader = startReader(target, stop, mode);
  for (let revision = 1; revision <= revisions; revision++) {
    writeConfigMap(source, revisionFiles(revision));
    await waitForNthLog(child, 'published', revision + 1, 20_000);
  }
  writeFileSync(stop, '');
  const result = await reader;
  await child.stop();
  return { result, target, dir };
}

describe('--publish-layout link', () => {
  it('a reader resolving the link reads whole sets only, while 50 revisions of 10 files are published', async () => {
    const { result, target, dir } = await publishUnderReader('link', 'resolve');
    expect(result.sets).toBeGreaterThan(revisions);
    expect(result).toMatchObject({ mixed: 0, errors: 0 });
    // The target is a relative symlink to the last set, which holds every file and the manifest.
    expect(lstatSync(target).isSymbolicLink()).toBe(true);
    expect(readlinkSync(target)).toMatch(/^\.target\.sets\/[0-9a-f]{16}-[0-9a-f]{8}$/);
    expect(readFileSync(join(target, 'f9.conf'), 'utf8')).toMatch(/^revision 50\n/);
    expect(JSON.parse(readFileSync(join(target, '.config-syncer-manifest'), 'utf8')).files).toHaveLength(10);
    // Within the 30 s grace every replaced set is still there; no temporary link is left.
    expect(readdirSync(join(dir, '.target.sets')).length).toBe(revisions + 1);
    expect(readdirSync(dir).filter((name) => name.includes('.tmp-'))).toEqual([]);
  }, 120_000);

  it('the same reader sees mixed sets with the default files layout', async () => {
    const { result } = await publishUnderReader('files', 'direct');
    expect(result.sets).toBeGreaterThan(revisions);
    expect(result.mixed).toBeGreaterThan(0);
  }, 120_000);

  it('removes files that left the source, keeps the previous set, works with --once, and cleans up at start', async () => {
    const dir = makeTempDir();
    const source = join(dir, 'src');
    const target = join(dir, 'target');
    mkdirSync(source);
    writeFileSync(join(source, 'a.conf'), 'a1');
    writeFileSync(join(source, 'b.conf'), 'b1');
    const args = ['--source', source, '--target', target, '--publish-layout', 'link', '--once'];
    expect(await startSyncer(args).exitCode(30_000)).toBe(0);
    const first = realpathSync(target);
    expect(readdirSync(target).sort()).toEqual(['.config-syncer-manifest', 'a.conf', 'b.conf']);

    // Unchanged source: no new set.
    expect(await startSyncer(args).exitCode(30_000)).toBe(0);
    expect(realpathSync(target)).toBe(first);

    // b.conf leaves the source: the new set lacks it; the run's own previous set is kept.
    const child = startSyncer(args.filter((arg) => arg !== '--once').concat(['--debounce', '0s']));
    await waitForNthLog(child, 'watching', 1);
    writeFileSync(join(source, 'a.conf'), 'a2');
    await waitForNthLog(child, 'published', 1);
    unlinkSync(join(source, 'b.conf'));
    await waitForNthLog(child, 'published', 2);
    const published = child.logs.filter((line) => line.msg === 'published');
    expect(published[1]).toMatchObject({ changed: [], removed: ['b.conf'] });
    await child.stop();
    expect(readdirSync(target).sort()).toEqual(['.config-syncer-manifest', 'a.conf']);
    expect(readFileSync(join(target, 'a.conf'), 'utf8')).toBe('a2');
    expect(readdirSync(join(dir, '.target.sets'))).toHaveLength(3);

    // A later start keeps only the set the link points at (what a killed run left is removed).
    expect(await startSyncer(args).exitCode(30_000)).toBe(0);
    expect(readdirSync(join(dir, '.target.sets'))).toEqual([realpathSync(target).split('/').pop()]);
    expect(existsSync(first)).toBe(false);
  }, 60_000);

  it('refuses a target that is a directory, naming the option, and leaves it alone', async () => {
    const dir = makeTempDir();
    const source = join(dir, 'src');
    const target = join(dir, 'target');
    mkdirSync(source);
    mkdirSync(target);
    writeFileSync(join(source, 'a.conf'), 'a');
    writeFileSync(join(target, 'mine.conf'), 'kept');
    const child = startSyncer(['--source', source, '--target', target, '--publish-layout', 'link']);
    expect(await child.exitCode()).toBe(2);
    expect(child.stderr).toContain('--publish-layout');
    expect(readdirSync(target)).toEqual(['mine.conf']);

    const bad = startSyncer(['--source', source, '--target', target, '--publish-layout', 'tree']);
    expect(await bad.exitCode()).toBe(2);
    expect(bad.stderr).toContain('--publish-layout');
  });

  it('notifies after the swap: the app told of a revision reads it through the link', async () => {
    const dir = makeTempDir();
    const source = join(dir, 'src');
    const target = join(dir, 'target');
    const seen = join(dir, 'seen');
    mkdirSync(source);
    writeFileSync(join(source, 'a.conf'), 'one');
    // The "app": reads the file through the link when told, with the revision it was told of.
    const command = `printf '%s %s\\n' "$CONFIG_REVISION" "$(cat "$TARGET_DIR/a.conf")" >> ${seen}`;
    const child = startSyncer([
      ...['--source', source, '--target', target, '--publish-layout', 'link'],
      ...['--debounce', '0s', '--notify-command', command],
    ]);
    await waitForNthLog(child, 'published', 1);
    writeFileSync(join(source, 'a.conf'), 'two');
    const second = await waitForNthLog(child, 'published', 2);
    await waitUntil(
      () => existsSync(seen) && readFileSync(seen, 'utf8').includes(String(second.revision)),
      15_000,
      'notified',
    );
    await child.stop();
    expect(readFileSync(seen, 'utf8')).toContain(`${second.revision} two\n`);
  }, 30_000);
});
