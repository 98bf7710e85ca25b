import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { git, makeTempDir, RemoteRepo } from './helpers/git-fixture.ts';
import { createTestUpdater } from './helpers/updater.ts';

describe('submodules', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let main: RemoteRepo;

  beforeAll(() => {
    temp = makeTempDir();
    const nested = new RemoteRepo(temp.path, 'nested');
    nested.commit({ 'deep.txt': 'deep' });
    const sub = new RemoteRepo(temp.path, 'sub');
    sub.commit({ 'sub.txt': 'sub' });
    // file:// URLs: git ignores --depth for plain-path (local) clones.
    git(sub.work, 'submodule', 'add', '-q', `file://${nested.url}`, 'nested');
    sub.commit({}, 'add nested');
    main = new RemoteRepo(temp.path, 'main');
    main.commit({ 'top.txt': 'top' });
    git(main.work, 'submodule', 'add', '-q', `file://${sub.url}`, 'sub');
    main.commit({}, 'add sub');
  });
  afterAll(() => temp.remove());

  test.each([
    ['recursive', true, true],
    ['shallow', true, false],
    ['off', false, false],
  ] as const)('%s', async (mode, first, second) => {
    const root = join(temp.path, `root-${mode}`);
    const updater = createTestUpdater(root, {
      repo: main.url,
      submodules: mode,
      allowLocalSubmodules: true,
    });
    expect(await updater.sync()).toMatchObject({ result: 'success', commit: main.head() });
    const current = join(root, 'current');
    expect(readFileSync(join(current, 'top.txt'), 'utf8')).toBe('top');
    expect(existsSync(join(current, 'sub', 'sub.txt'))).toBe(first);
    expect(existsSync(join(current, 'sub', 'nested', 'deep.txt'))).toBe(second);
    if (first) expect(git(join(current, 'sub'), 'rev-list', '--count', 'HEAD')).toBe('1');
  });
});

describe('submodules from this filesystem (CVE-2022-39253)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let site: RemoteRepo;
  let other: RemoteRepo;

  beforeAll(() => {
    temp = makeTempDir();
    // Another repository of the same filesystem, which the branch's author should not be able to publish.
    other = new RemoteRepo(temp.path, 'other');
    other.commit({ 'secret.txt': 'not for the site' });
    site = new RemoteRepo(temp.path, 'site');
    site.commit({ 'index.html': 'site' });
    git(site.work, 'submodule', 'add', '-q', `file://${other.url}`, 'vendor');
    site.commit({}, 'add a submodule from file://');
  });
  afterAll(() => temp.remove());

  test('refused by default: the sync fails and nothing of the other repository is published', async () => {
    const root = join(temp.path, 'root-default');
    const updater = createTestUpdater(root, { repo: site.url });
    const outcome = await updater.sync();
    expect(outcome.result).toBe('error');
    expect(outcome.error?.message).toMatch(/transport 'file' not allowed/);
    expect(existsSync(join(root, 'current'))).toBe(false);
    const trees = readdirSync(join(root, '.worktrees'));
    for (const tree of trees)
      expect(existsSync(join(root, '.worktrees', tree, 'vendor', 'secret.txt'))).toBe(false);
  });

  test('--allow-local-submodules: cloned', async () => {
    const root = join(temp.path, 'root-allowed');
    const updater = createTestUpdater(root, { repo: site.url, allowLocalSubmodules: true });
    expect(await updater.sync()).toMatchObject({ result: 'success', commit: site.head() });
    expect(readFileSync(join(root, 'current', 'vendor', 'secret.txt'), 'utf8')).toBe('not for the site');
  });
});

describe('sparse checkout', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeAll(() => {
    temp = makeTempDir();
  });
  afterAll(() => temp.remove());

  test('only the listed directories (and top-level files) are written', async () => {
    const remote = new RemoteRepo(temp.path);
    remote.commit({
      'README.md': 'top',
      'docs/a.md': 'a',
      'docs/deep/b.md': 'b',
      'src/c.ts': 'c',
      'assets/d.png': 'd',
    });
    const root = join(temp.path, 'root');
    const updater = createTestUpdater(root, { repo: remote.url, sparsePaths: ['docs', 'assets'] });
    expect(await updater.sync()).toMatchObject({ result: 'success' });
    const current = join(root, 'current');
    expect(readdirSync(current).sort()).toEqual(['.git', 'README.md', 'assets', 'docs']);
    expect(readFileSync(join(current, 'docs', 'deep', 'b.md'), 'utf8')).toBe('b');
    expect(git(current, 'status', '--porcelain')).toBe('');

    remote.commit({ 'docs/a.md': 'a2', 'src/c.ts': 'c2' });
    expect(await updater.sync()).toMatchObject({ result: 'success' });
    expect(readFileSync(join(current, 'docs', 'a.md'), 'utf8')).toBe('a2');
    expect(existsSync(join(current, 'src'))).toBe(false);
  });
});
