import { chownSync, existsSync, lstatSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnBundleAs } from '@toolkit/test-helpers';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseFileOwner } from '../src/index.ts';
import { makeTempDir, saveLikeEditor, startSyncer, waitForNthLog } from './helpers.ts';

// Real ownership, read back with stat: the tests run as root here and in CI; the refusal runs the
// bundle (built once by test/global-setup.ts) as uid 65534.
const isRoot = process.getuid?.() === 0;
const bundle = join(import.meta.dirname, '..', 'dist', 'config-syncer.mjs');
const owner = { uid: 1234, gid: 2345 };
const ownerFlag = ['--file-owner', `${owner.uid}:${owner.gid}`];
const ownerOf = (path: string) => {
  const stats = lstatSync(path);
  return { uid: stats.uid, gid: stats.gid };
};

describe.skipIf(!isRoot)('--file-owner, as root', () => {
  it('gives the owner to published files, the manifest and the directories it creates, from the first publish on', async () => {
    const dir = makeTempDir();
    const source = join(dir, 'src');
    mkdirSync(join(source, 'conf.d'), { recursive: true });
    writeFileSync(join(source, 'app.yaml'), 'a: 1\n');
    writeFileSync(join(source, 'conf.d', 'b.yaml'), 'b: 1\n');
    const target = join(dir, 'deep', 'target');
    const child = startSyncer([
      '--source',
      source,
      '--target',
      target,
      '--recursive',
      '--debounce',
      '0s',
      ...ownerFlag,
    ]);
    await waitForNthLog(child, 'published', 1);
    for (const path of [
      'deep',
      'deep/target',
      'deep/target/conf.d',
      'deep/target/app.yaml',
      'deep/target/conf.d/b.yaml',
      'deep/target/.config-syncer-manifest',
    ]) {
      expect(ownerOf(join(dir, path)), path).toEqual(owner);
    }
    expect(statSync(join(target, 'app.yaml')).mode & 0o7777).toBe(0o644);
    // The directory the temp dir was made in is not the syncer's: left as it was.
    expect(ownerOf(dir).uid).toBe(0);

    // A reader stats the file in a tight loop while it is replaced: never seen with another owner, since
    // the owner is set on the temp file before the rename.
    const seen = new Set<string>();
    let stop = false;
    onTestFinished(() => {
      stop = true;
    });
    const reader = (async () => {
      while (!stop) {
        try {
          const { uid, gid } = statSync(join(target, 'app.yaml'));
          seen.add(`${uid}:${gid}`);
        } catch (error) {
          seen.add((error as NodeJS.ErrnoException).code ?? 'error');
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    for (let version = 2; version <= 21; version++) {
      saveLikeEditor(join(source, 'app.yaml'), `a: ${version}\n`);
      await waitForNthLog(child, 'published', version);
    }
    writeFileSync(join(source, 'conf.d', 'new.yaml'), 'n: 1\n');
    await waitForNthLog(child, 'published', 22);
    stop = true;
    await reader;
    expect([...seen]).toEqual([`${owner.uid}:${owner.gid}`]);
    expect(ownerOf(join(target, 'conf.d', 'new.yaml'))).toEqual(owner);
  });

  it('owns the set directory, its files and the link with --publish-layout link', async () => {
    const dir = makeTempDir();
    const source = join(dir, 'src');
    mkdirSync(source);
    writeFileSync(join(source, 'app.json'), '{"a":1}');
    const target = join(dir, 'current');
    const child = startSyncer([
      '--source',
      source,
      '--target',
      target,
      '--publish-layout',
      'link',
      ...ownerFlag,
    ]);
    await waitForNthLog(child, 'published', 1);
    const sets = join(dir, '.current.sets');
    const [set] = readdirSync(sets);
    for (const path of [
      target,
      sets,
      join(sets, set!),
      join(sets, set!, 'app.json'),
      join(sets, set!, '.config-syncer-manifest'),
    ]) {
      expect(ownerOf(path), path).toEqual(owner);
    }
    expect(lstatSync(target).isSymbolicLink()).toBe(true);
  });

  it('a verifying pass gives a file chowned by hand its owner back', async () => {
    const dir = makeTempDir();
    const source = join(dir, 'src');
    mkdirSync(source);
    writeFileSync(join(source, 'app.yaml'), 'a: 1\n');
    const target = join(dir, 'target');
    const child = startSyncer([
      '--source',
      source,
      '--target',
      target,
      '--resync-interval',
      '200ms',
      ...ownerFlag,
    ]);
    await waitForNthLog(child, 'published', 1);
    chownSync(join(target, 'app.yaml'), 0, 0);
    await waitForNthLog(child, 'published', 2);
    expect(ownerOf(join(target, 'app.yaml'))).toEqual(owner);
  });
});

describe('--file-owner refused', () => {
  it('parses numeric UID:GID only', () => {
    expect(parseFileOwner('1000:2000')).toEqual({ uid: 1000, gid: 2000 });
    expect(parseFileOwner('0:0')).toEqual({ uid: 0, gid: 0 });
    expect(parseFileOwner(undefined)).toBeUndefined();
    // 4294967295 is (uid_t)-1, which chown(2) reads as "leave as it is".
    for (const value of ['abc', '1000', '1000:', ':1000', '1000:1000:1', '-1:0', '4294967295:0', '1e3:1']) {
      expect(() => parseFileOwner(value), value).toThrow(
        `--file-owner: invalid value ${JSON.stringify(value)}`,
      );
    }
  });

  it('a malformed value exits 2 naming the option', async () => {
    const dir = makeTempDir();
    const values = ['1000', 'app:app'];
    const children = values.map((value) =>
      startSyncer(['--source', dir, '--target', join(dir, 't'), `--file-owner=${value}`]),
    );
    for (const [i, child] of children.entries()) {
      expect(await child.exitCode(), values[i]).toBe(2);
      expect(child.stderr).toContain(`--file-owner: invalid value ${JSON.stringify(values[i])}`);
    }
    expect(existsSync(join(dir, 't'))).toBe(false);
  });

  it.skipIf(!isRoot || !existsSync(bundle))(
    'without CAP_CHOWN (as uid 65534): exit 1 at start, saying so once, nothing published; its own uid is fine',
    () => {
      const dir = makeTempDir();
      chownSync(dir, 65534, 65534);
      const source = join(dir, 'src');
      mkdirSync(source);
      writeFileSync(join(source, 'app.yaml'), 'a: 1\n');
      const run = (target: string, value: string) =>
        spawnBundleAs(
          { uid: 65534, gid: 65534 },
          bundle,
          [
            '--source',
            source,
            '--target',
            join(dir, target),
            '--once',
            '--admin-addr',
            '127.0.0.1:0',
            '--file-owner',
            value,
          ],
          { timeoutMs: 20_000 },
        );
      const refused = run('target', '1234:2345');
      expect(refused.status, refused.stderr).toBe(1);
      const fatal = refused.stderr.split('\n').filter((line) => line.includes('CAP_CHOWN'));
      expect(fatal).toHaveLength(1);
      expect(fatal[0]).toContain('--file-owner 1234:2345: cannot give files this owner (EPERM)');
      expect(fatal[0]).toContain('uid 65534');
      expect(existsSync(join(dir, 'target', 'app.yaml'))).toBe(false);
      // Created (the check needs it) but holding nothing: no scratch file left either.
      expect(readdirSync(join(dir, 'target'))).toEqual([]);

      const own = run('own', '65534:65534');
      expect(own.status, own.stderr).toBe(0);
      expect(ownerOf(join(dir, 'own', 'app.yaml'))).toEqual({ uid: 65534, gid: 65534 });
    },
  );
});
