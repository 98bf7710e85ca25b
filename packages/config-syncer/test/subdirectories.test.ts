import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir, startSyncer, waitForNthLog, waitUntil } from './helpers.ts';

/** Every file under `dir`, as relative paths, sorted (directories descended, symlinks listed). */
function listTree(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? listTree(join(dir, entry.name), `${prefix}${entry.name}/`)
        : [`${prefix}${entry.name}`],
    )
    .sort();
}

function manifestFiles(target: string): string[] {
  return JSON.parse(readFileSync(join(target, '.config-syncer-manifest'), 'utf8')).files;
}

/** A source tree with what must be published and what must not. */
function makeSourceTree(dir: string): string {
  const source = join(dir, 'src');
  mkdirSync(join(source, 'conf.d', 'deep'), { recursive: true });
  mkdirSync(join(source, '.git'));
  writeFileSync(join(source, 'app.yaml'), 'top: 1\n');
  writeFileSync(join(source, 'conf.d', 'b.yaml'), 'b: 1\n');
  writeFileSync(join(source, 'conf.d', 'deep', 'c.json'), '{"c": 1}\n');
  writeFileSync(join(source, '.git', 'config'), '[core]\n');
  // A link to a file inside the source is followed; one leaving it, and a linked directory, are not.
  symlinkSync('../app.yaml', join(source, 'conf.d', 'inside.yaml'));
  writeFileSync(join(dir, 'secret'), 'outside');
  symlinkSync(join(dir, 'secret'), join(source, 'conf.d', 'escape'));
  symlinkSync('conf.d', join(source, 'linked-dir'));
  return source;
}

const published = ['app.yaml', 'conf.d/b.yaml', 'conf.d/deep/c.json', 'conf.d/inside.yaml'];

describe('--recursive', () => {
  it('publishes the tree of a plain directory, skipping excluded and symlinked directories and links leaving it', async () => {
    const dir = makeTempDir();
    const source = makeSourceTree(dir);
    const target = join(dir, 'target');
    const once = startSyncer(['--source', source, '--target', target, '--recursive', '--once']);
    expect(await once.exitCode(30_000)).toBe(0);
    expect(listTree(target)).toEqual(['.config-syncer-manifest', ...published]);
    expect(manifestFiles(target)).toEqual(published);
    expect(readFileSync(join(target, 'conf.d', 'inside.yaml'), 'utf8')).toBe('top: 1\n');

    // The check command gets the same tree.
    const check = 'test -f conf.d/deep/c.json && test -f app.yaml';
    const checked = startSyncer([
      '--source',
      source,
      '--target',
      join(dir, 'checked'),
      '--recursive',
      '--check-command',
      check,
      '--once',
    ]);
    expect(await checked.exitCode(30_000)).toBe(0);
    expect(listTree(join(dir, 'checked'))).toEqual(['.config-syncer-manifest', ...published]);

    // Without the option only the top-level files are published, as before.
    const flatTarget = join(dir, 'flat');
    const flat = startSyncer(['--source', source, '--target', flatTarget, '--once']);
    expect(await flat.exitCode(30_000)).toBe(0);
    expect(listTree(flatTarget)).toEqual(['.config-syncer-manifest', 'app.yaml']);
  }, 60_000);

  it('follows changes deep in the tree, removes files and emptied directories it wrote, and leaves others alone', async () => {
    const dir = makeTempDir();
    const source = makeSourceTree(dir);
    const target = join(dir, 'target');
    const child = startSyncer(['--source', source, '--target', target, '--recursive', '--debounce', '0s']);
    await waitForNthLog(child, 'published', 1);
    writeFileSync(join(target, 'conf.d', 'theirs.conf'), 'not ours');

    mkdirSync(join(source, 'new', 'nested'), { recursive: true });
    writeFileSync(join(source, 'new', 'nested', 'n.yaml'), 'n: 1\n');
    expect(await waitForNthLog(child, 'published', 2)).toMatchObject({ changed: ['new/nested/n.yaml'] });
    expect(readFileSync(join(target, 'new', 'nested', 'n.yaml'), 'utf8')).toBe('n: 1\n');

    writeFileSync(join(source, 'conf.d', 'deep', 'c.json'), '{"c": 2}\n');
    await waitForNthLog(child, 'published', 3);
    expect(readFileSync(join(target, 'conf.d', 'deep', 'c.json'), 'utf8')).toBe('{"c": 2}\n');

    rmSync(join(source, 'new'), { recursive: true });
    rmSync(join(source, 'conf.d'), { recursive: true });
    await waitUntil(() => manifestFiles(target).length === 1, 15_000, 'removals published');
    // Two directories removed one after the other may take one publish or two.
    const removed = child.logs
      .filter((line) => line.msg === 'published')
      .slice(3)
      .flatMap((line) => line.removed as string[]);
    expect(removed.sort()).toEqual([
      'conf.d/b.yaml',
      'conf.d/deep/c.json',
      'conf.d/inside.yaml',
      'new/nested/n.yaml',
    ]);
    await child.stop();
    // Emptied directories go; conf.d stays for the file someone else put there.
    expect(listTree(target)).toEqual(['.config-syncer-manifest', 'app.yaml', 'conf.d/theirs.conf']);
    expect(existsSync(join(target, 'new'))).toBe(false);
    expect(manifestFiles(target)).toEqual(['app.yaml']);
  }, 60_000);

  it('never writes through a symlink put in the target, and refuses a manifest path leaving it', async () => {
    const dir = makeTempDir();
    const source = makeSourceTree(dir);
    const target = join(dir, 'target');
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    mkdirSync(target);
    symlinkSync(elsewhere, join(target, 'conf.d'));
    const once = startSyncer(['--source', source, '--target', target, '--recursive', '--once']);
    expect(await once.exitCode(30_000)).toBe(1);
    expect(once.stderr).toContain('conf.d in the target is not a directory');
    expect(readdirSync(elsewhere)).toEqual([]);
    // The publish failed before any file of the set was written.
    expect(existsSync(join(target, 'app.yaml'))).toBe(false);

    // A manifest naming a path out of the target is ignored as a whole: nothing is removed by it.
    rmSync(join(target, 'conf.d'));
    writeFileSync(join(dir, 'victim'), 'keep');
    writeFileSync(
      join(target, '.config-syncer-manifest'),
      JSON.stringify({ files: ['conf.d/../../victim', 'app.yaml'] }),
    );
    const again = startSyncer(['--source', source, '--target', target, '--recursive', '--once']);
    expect(await again.exitCode(30_000)).toBe(0);
    expect(again.stderr).toContain('only relative paths inside the target are ever removed');
    expect(readFileSync(join(dir, 'victim'), 'utf8')).toBe('keep');
    expect(manifestFiles(target)).toEqual(published);
  }, 60_000);

  it('applies --max-file-bytes to nested files, naming the path', async () => {
    const dir = makeTempDir();
    const source = makeSourceTree(dir);
    writeFileSync(join(source, 'conf.d', 'deep', 'big.txt'), 'x'.repeat(2048));
    const once = startSyncer([
      '--source',
      source,
      '--target',
      join(dir, 'target'),
      '--recursive',
      '--max-file-bytes',
      '1024',
      '--once',
    ]);
    expect(await once.exitCode(30_000)).toBe(1);
    expect(once.stderr).toContain('conf.d/deep/big.txt is 2048 bytes, over --max-file-bytes 1024');
  }, 30_000);

  it('publishes the tree behind the link with --publish-layout link', async () => {
    const dir = makeTempDir();
    const source = makeSourceTree(dir);
    const target = join(dir, 'target');
    const args = [
      '--source',
      source,
      '--target',
      target,
      '--recursive',
      '--publish-layout',
      'link',
      '--once',
    ];
    expect(await startSyncer(args).exitCode(30_000)).toBe(0);
    expect(listTree(target)).toEqual(['.config-syncer-manifest', ...published]);
    rmSync(join(source, 'conf.d', 'deep'), { recursive: true });
    expect(await startSyncer(args).exitCode(30_000)).toBe(0);
    expect(listTree(target)).toEqual([
      '.config-syncer-manifest',
      'app.yaml',
      'conf.d/b.yaml',
      'conf.d/inside.yaml',
    ]);
  }, 60_000);

  it('follows a git checkout behind a link swapped as repo-updater does, without its .git', async () => {
    const dir = makeTempDir();
    const git = (cwd: string, ...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd });
    const checkout = (name: string, version: number) => {
      const tree = join(dir, name);
      mkdirSync(join(tree, 'conf.d'), { recursive: true });
      git(tree, 'init', '-q');
      writeFileSync(join(tree, 'app.yaml'), `v: ${version}\n`);
      writeFileSync(join(tree, 'conf.d', 'db.yaml'), `db: ${version}\n`);
      git(tree, 'add', '.');
      git(tree, 'commit', '-qm', `v${version}`);
      return name;
    };
    symlinkSync(checkout('rev1', 1), join(dir, 'current'));
    const target = join(dir, 'target');
    const child = startSyncer([
      '--source',
      join(dir, 'current'),
      '--target',
      target,
      '--recursive',
      '--debounce',
      '0s',
    ]);
    await waitForNthLog(child, 'published', 1);
    expect(listTree(target)).toEqual(['.config-syncer-manifest', 'app.yaml', 'conf.d/db.yaml']);
    symlinkSync(checkout('rev2', 2), join(dir, 'current.new'));
    execFileSync('mv', ['-T', join(dir, 'current.new'), join(dir, 'current')]);
    await waitForNthLog(child, 'published', 2);
    await child.stop();
    expect(readFileSync(join(target, 'conf.d', 'db.yaml'), 'utf8')).toBe('db: 2\n');
  }, 30_000);
});
