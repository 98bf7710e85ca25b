import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readWorktreeAdmin } from '../src/git/worktrees.ts';
import { git, RemoteRepo, remote, root, temp, useRemoteRepo } from './helpers/git-fixture.ts';
import { createTestUpdater, type TestUpdaterOptions } from './helpers/updater.ts';

useRemoteRepo();

const reused = 'brought the spare worktree to the commit';
const worktreeDir = (commit: string) => join(root, '.worktrees', commit);
const worktrees = () => readdirSync(join(root, '.worktrees')).sort();
const published = () => realpathSync(join(root, 'current'));

/** Every file under `dir` (not .git), relative, with its content. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      if (entry.name === '.git') continue;
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else files[relative(dir, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(dir);
  return files;
}

/** What a fresh checkout of `commit` holds: every file of the commit with its content. */
function expected(commit: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const path of git(remote.bare, 'ls-tree', '-r', '--name-only', commit).split('\n').filter(Boolean))
    files[path] = git(remote.bare, 'show', `${commit}:${path}`);
  return files;
}

/** The published tree is exactly `commit`: its files, nothing else, and git agrees. */
function expectExactly(commit: string): void {
  const dir = published();
  expect(dir).toBe(worktreeDir(commit));
  const files = snapshot(dir);
  const want = expected(commit);
  expect(Object.keys(files).sort()).toEqual(Object.keys(want).sort());
  for (const [path, content] of Object.entries(want)) expect(files[path]?.trim()).toBe(content);
  expect(git(dir, 'rev-parse', 'HEAD')).toBe(commit);
  expect(git(dir, 'status', '--porcelain', '--ignored', '--untracked-files=all')).toBe('');
}

/**
 * Three commits synced with no grace period: the first is the spare once the second is published, and
 * the third is checked out into it. Resolves with the commits and an updater ready for the third.
 */
async function upToTheSpare(files: Record<string, string>, options: Partial<TestUpdaterOptions> = {}) {
  const first = remote.commit(files);
  const updater = createTestUpdater(root, { repo: remote.url, graceMs: 0, ...options });
  expect(await updater.sync()).toMatchObject({ result: 'success', commit: first });
  const second = remote.commit({ 'a.txt': 'second' });
  expect(await updater.sync()).toMatchObject({ result: 'success', commit: second });
  expect(updater.logs.messages()).not.toContain(reused);
  return { first, second, updater };
}

describe('the spare worktree', () => {
  test('the next commit is checked out into it: only changed files are written, the published tree is not touched', async () => {
    const files = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`dir/f${i}.txt`, `file ${i}`]));
    const { first, second, updater } = await upToTheSpare({ ...files, 'a.txt': 'first', 'gone.txt': 'x' });
    const spare = worktreeDir(first);
    // When each file was last written (ns): a file git writes again gets a new time, and a new inode.
    const written = (path: string) => statSync(path, { bigint: true }).mtimeNs;
    const inode = (path: string) => statSync(path).ino;
    const spareInode = inode(spare);
    const unchanged = { at: written(join(spare, 'dir/f1.txt')), inode: inode(join(spare, 'dir/f1.txt')) };
    const changedAt = written(join(spare, 'dir/f7.txt'));
    const aAt = written(join(spare, 'a.txt'));
    // What a reader resolved through the link before the swap.
    const before = published();
    const beforeFiles = snapshot(before);
    const beforeStats = Object.keys(beforeFiles).map((path) => statSync(join(before, path)).mtimeMs);

    const third = remote.commit({ 'dir/f7.txt': 'changed', 'gone.txt': null, 'new/added.txt': 'added' });
    expect(await updater.sync()).toMatchObject({ result: 'success', commit: third, previous: second });
    expect(updater.logs.messages()).toContain(reused);
    expectExactly(third);
    const dir = worktreeDir(third);
    // The same directory, renamed: the old name is gone (no directory named by a commit it lacks).
    expect(inode(dir)).toBe(spareInode);
    expect(existsSync(spare)).toBe(false);
    expect(worktrees()).toEqual([second, third].sort());
    // Unchanged files were not written; changed and added ones were.
    expect(written(join(dir, 'dir/f1.txt'))).toBe(unchanged.at);
    expect(inode(join(dir, 'dir/f1.txt'))).toBe(unchanged.inode);
    expect(written(join(dir, 'dir/f7.txt'))).toBeGreaterThan(changedAt);
    expect(written(join(dir, 'a.txt'))).toBeGreaterThan(aAt);
    // The tree the link pointed at before the swap is as it was, file for file.
    expect(before).toBe(worktreeDir(second));
    expect(snapshot(before)).toEqual(beforeFiles);
    expect(Object.keys(beforeFiles).map((path) => statSync(join(before, path)).mtimeMs)).toEqual(beforeStats);
    // git knows the worktree by its new place: nothing to prune, log and status work in it.
    git(join(root, '.git'), 'worktree', 'prune');
    expect(readdirSync(join(root, '.git', 'worktrees'))).toHaveLength(2);
    expect(git(join(root, '.git'), 'worktree', 'list', '--porcelain')).toContain(`worktree ${dir}\n`);
    expect(git(join(root, 'current'), 'log', '-1', '--format=%H')).toBe(third);
  });

  test('a dirtied spare is cleaned: extra and ignored files go, edited and deleted tracked files come back', async () => {
    const { first, updater } = await upToTheSpare({
      '.gitignore': '*.log\n',
      'a.txt': 'first',
      'keep.txt': 'keep',
      'sub/b.txt': 'b',
    });
    const spare = worktreeDir(first);
    writeFileSync(join(spare, 'extra.txt'), 'not in git');
    mkdirSync(join(spare, 'build', 'deep'), { recursive: true });
    writeFileSync(join(spare, 'build', 'deep', 'out.log'), 'ignored');
    writeFileSync(join(spare, 'keep.txt'), 'edited by someone');
    rmSync(join(spare, 'sub', 'b.txt'));

    const third = remote.commit({ 'a.txt': 'third' });
    expect(await updater.sync()).toMatchObject({ result: 'success', commit: third });
    expect(updater.logs.messages()).toContain(reused);
    expectExactly(third);
  });

  /** How many `git clean` runs the updater logged from line `from` on. */
  const cleans = (updater: { logs: { lines: Record<string, unknown>[] } }, from: number) =>
    updater.logs.lines.slice(from).filter((line) => Array.isArray(line.git) && line.git[0] === 'clean')
      .length;

  test('cleaned between syncs, the spare is brought to the next commit without a clean of its own', async () => {
    const { first, updater } = await upToTheSpare({ 'a.txt': 'first', 'sub/b.txt': 'b' });
    // Its directories were written a moment ago: a stamp taken now would not be trusted (coarse times).
    await new Promise((resolve) => setTimeout(resolve, 250));
    await updater.cleanUp();
    expect(existsSync(worktreeDir(first))).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const from = updater.logs.lines.length;
    const third = remote.commit({ 'a.txt': 'third' });
    expect(await updater.sync()).toMatchObject({ result: 'success', commit: third });
    expect(updater.logs.messages()).toContain(reused);
    expect(cleans(updater, from)).toBe(0);
    expectExactly(third);
  });

  test.each([
    ['a file at its top', (spare: string) => writeFileSync(join(spare, 'late.txt'), 'late')],
    [
      'an ignored file deep in a new directory',
      (spare: string) => {
        mkdirSync(join(spare, 'build', 'deep'), { recursive: true });
        writeFileSync(join(spare, 'build', 'deep', 'out.log'), 'late');
      },
    ],
    ['a file beside a tracked one', (spare: string) => writeFileSync(join(spare, 'sub', 'late.txt'), 'late')],
    ['a tracked file deleted', (spare: string) => rmSync(join(spare, 'sub', 'b.txt'))],
  ])('%s made in the spare after that clean is dealt with before publishing', async (_, change) => {
    const { first, updater } = await upToTheSpare({
      '.gitignore': '*.log\n',
      'a.txt': 'first',
      'sub/b.txt': 'b',
    });
    await new Promise((resolve) => setTimeout(resolve, 250));
    await updater.cleanUp();
    await new Promise((resolve) => setTimeout(resolve, 150));
    change(worktreeDir(first));
    const from = updater.logs.lines.length;
    const third = remote.commit({ 'a.txt': 'third' });
    expect(await updater.sync()).toMatchObject({ result: 'success', commit: third });
    expect(updater.logs.messages()).toContain(reused);
    expect(cleans(updater, from)).toBe(1);
    expectExactly(third);
  });

  test('a revert to the commit the spare holds: the spare is cleaned and published', async () => {
    const { first, updater } = await upToTheSpare({ 'a.txt': 'first', 'b.txt': 'b' });
    writeFileSync(join(worktreeDir(first), 'extra.txt'), 'not in git');
    writeFileSync(join(worktreeDir(first), 'b.txt'), 'edited');
    remote.forcePush(first);
    expect(await updater.sync()).toMatchObject({ result: 'success', commit: first, checkout: 'spare' });
    expectExactly(first);
  });

  test.each([
    ['deleted', (spare: string) => rmSync(spare, { recursive: true })],
    ['a leftover directory, not a worktree', (spare: string) => rmSync(join(spare, '.git'))],
    ['its .git file garbage', (spare: string) => writeFileSync(join(spare, '.git'), 'garbage\n')],
    [
      'unknown to the repository',
      async (spare: string) => rmSync((await readWorktreeAdmin(spare))!, { recursive: true }),
    ],
    [
      'made with other options (or before they were recorded)',
      async (spare: string) => rmSync(join((await readWorktreeAdmin(spare))!, 'repo-updater-checkout')),
    ],
    [
      'with a corrupt index',
      async (spare: string) => writeFileSync(join((await readWorktreeAdmin(spare))!, 'index'), 'garbage'),
    ],
    [
      'with a lock git left (index.lock)',
      async (spare: string) => writeFileSync(join((await readWorktreeAdmin(spare))!, 'index.lock'), ''),
    ],
  ])('a spare %s: the commit is checked out anew', async (_name, breakIt) => {
    const { first, second, updater } = await upToTheSpare({ 'a.txt': 'first', 'b.txt': 'b' });
    await breakIt(worktreeDir(first));
    const third = remote.commit({ 'a.txt': 'third' });
    expect(await updater.sync()).toMatchObject({ result: 'success', commit: third });
    expect(updater.logs.messages()).not.toContain(reused);
    expectExactly(third);
    expect(worktrees()).toEqual([second, third].sort());
    // Whatever git knew of the broken spare is forgotten.
    expect(git(join(root, '.git'), 'worktree', 'list', '--porcelain')).not.toContain('prunable');
    expect(readdirSync(join(root, '.git', 'worktrees'))).toHaveLength(2);

    // And the next sync has a good spare again.
    const fourth = remote.commit({ 'a.txt': 'fourth' });
    expect(await updater.sync()).toMatchObject({ result: 'success', commit: fourth });
    expect(updater.logs.messages()).toContain(reused);
    expectExactly(fourth);
  });

  test('a spare someone locked (git worktree lock) is left alone', async () => {
    const { first, second, updater } = await upToTheSpare({ 'a.txt': 'first' });
    git(join(root, '.git'), 'worktree', 'lock', worktreeDir(first));
    const third = remote.commit({ 'a.txt': 'third' });
    expect(await updater.sync()).toMatchObject({ result: 'success', commit: third });
    expect(updater.logs.messages()).not.toContain(reused);
    expectExactly(third);
    expect(worktrees()).toEqual([first, second, third].sort());
    expect(readFileSync(join(worktreeDir(first), 'a.txt'), 'utf8')).toBe('first');
  });

  test('a restart over existing worktrees, with another --ref: the old tree is the spare once its grace period is over', async () => {
    const { first, second } = await upToTheSpare({ 'a.txt': 'first', 'b.txt': 'b' });
    let now = 1_000_000;
    const restarted = createTestUpdater(root, {
      repo: remote.url,
      ref: 'feature',
      graceMs: 60_000,
      now: () => now,
    });
    await restarted.takeOver();
    const feature = remote.commit({ 'a.txt': 'feature' }, 'on a branch', 'feature');
    // Within the grace period every old tree is left as it is.
    expect(await restarted.sync()).toMatchObject({ result: 'success', commit: feature, previous: second });
    expect(restarted.logs.messages()).not.toContain(reused);
    expectExactly(feature);
    expect(worktrees()).toEqual([first, second, feature].sort());

    now += 60_000;
    await restarted.cleanUp();
    expect(worktrees()).toHaveLength(2);
    const next = remote.commit({ 'a.txt': 'feature 2' }, 'more', 'feature');
    expect(await restarted.sync()).toMatchObject({ result: 'success', commit: next });
    expect(restarted.logs.messages()).toContain(reused);
    expectExactly(next);
    expect(worktrees()).toEqual([feature, next].sort());
  });

  test('a restart with other --sparse-paths does not reuse a spare made for the old ones', async () => {
    const { updater: _ } = await upToTheSpare({ 'docs/a.md': 'a', 'src/b.ts': 'b' });
    const sparse = createTestUpdater(root, { repo: remote.url, graceMs: 0, sparsePaths: ['docs'] });
    await sparse.takeOver();
    const third = remote.commit({ 'docs/a.md': 'a3', 'src/b.ts': 'b3' });
    expect(await sparse.sync()).toMatchObject({ result: 'success', commit: third });
    expect(sparse.logs.lines).toContainEqual(
      expect.objectContaining({
        msg: 'cannot reuse the spare worktree: deleting it',
        problem: 'checked out with other options',
      }),
    );
    expect(readdirSync(published()).sort()).toEqual(['.git', 'a.txt', 'docs']);

    // From then on the sparse trees are reused, and stay sparse.
    const fourth = remote.commit({ 'docs/a.md': 'a4', 'src/b.ts': 'b4' });
    await sparse.sync();
    const fifth = remote.commit({ 'docs/c.md': 'c5', 'src/b.ts': 'b5' });
    expect(await sparse.sync()).toMatchObject({ result: 'success', commit: fifth, previous: fourth });
    expect(sparse.logs.messages()).toContain(reused);
    expect(readdirSync(published()).sort()).toEqual(['.git', 'a.txt', 'docs']);
    expect(readFileSync(join(published(), 'docs', 'c.md'), 'utf8')).toBe('c5');
    expect(git(published(), 'status', '--porcelain')).toBe('');
  });
});

describe('the spare worktree with submodules', () => {
  test('submodules are brought to their new commits in place, cleaned, and git still works in them after the rename', async () => {
    const sub = new RemoteRepo(temp.path, 'sub');
    sub.commit({ 's.txt': 's1' });
    // file:// URLs: git ignores --depth for plain-path (local) clones.
    git(remote.work, 'submodule', 'add', '-q', `file://${sub.url}`, 'sub');
    const first = remote.commit({ 'a.txt': 'first' });
    const updater = createTestUpdater(root, { repo: remote.url, graceMs: 0, allowLocalSubmodules: true });
    expect(await updater.sync()).toMatchObject({ result: 'success', commit: first });
    const second = remote.commit({ 'a.txt': 'second' });
    expect(await updater.sync()).toMatchObject({ result: 'success', commit: second });
    // Dirty the spare's submodule.
    const spare = worktreeDir(first);
    writeFileSync(join(spare, 'sub', 's.txt'), 'edited');
    writeFileSync(join(spare, 'sub', 'extra.txt'), 'extra');

    const moved = sub.commit({ 's.txt': 's2' });
    git(join(remote.work, 'sub'), 'pull', '-q', 'origin', 'main');
    const third = remote.commit({ 'a.txt': 'third' }, 'bump sub');
    expect(await updater.sync()).toMatchObject({ result: 'success', commit: third });
    expect(updater.logs.messages()).toContain(reused);
    const dir = published();
    expect(dir).toBe(worktreeDir(third));
    expect(readFileSync(join(dir, 'sub', 's.txt'), 'utf8')).toBe('s2');
    expect(existsSync(join(dir, 'sub', 'extra.txt'))).toBe(false);
    expect(git(join(dir, 'sub'), 'rev-parse', 'HEAD')).toBe(moved);
    expect(git(join(dir, 'sub'), 'status', '--porcelain')).toBe('');
    expect(git(dir, 'status', '--porcelain', '--ignore-submodules=none')).toBe('');
  });
});
