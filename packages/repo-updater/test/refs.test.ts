import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { git, remote, root, useRemoteRepo } from './helpers/git-fixture.ts';
import { createTestUpdater } from './helpers/updater.ts';

useRemoteRepo();

const published = (file: string) => readFileSync(join(root, 'current', file), 'utf8');
const linkTarget = () => readlinkSync(join(root, 'current'));

describe('what to sync', () => {
  test("HEAD follows the remote's default branch; the link is relative and named by the commit", async () => {
    const first = remote.commit({ 'a.txt': 'one' });
    const updater = createTestUpdater(root, { repo: remote.url });
    expect(await updater.sync()).toMatchObject({ result: 'success', commit: first });
    expect(linkTarget()).toBe(`.worktrees/${first}`);
    expect(published('a.txt')).toBe('one');
    // The worktree's .git points back relatively, so the volume can be mounted anywhere. (git's own
    // name for it is neutral: the directory is renamed as the worktree is reused for other commits.)
    expect(readFileSync(join(root, 'current', '.git'), 'utf8')).toMatch(
      /^gitdir: \.\.\/\.\.\/\.git\/worktrees\/tree-[0-9a-f]{8}\n$/,
    );
    expect(git(join(root, 'current'), 'rev-parse', 'HEAD')).toBe(first);

    expect(await updater.sync()).toMatchObject({ result: 'noop', commit: first });
    const second = remote.commit({ 'a.txt': 'two' });
    expect(await updater.sync()).toMatchObject({ result: 'success', commit: second, previous: first });
    expect(published('a.txt')).toBe('two');
  });

  test('a branch other than the default', async () => {
    remote.commit({ 'a.txt': 'main' });
    const feature = remote.commit({ 'a.txt': 'feature' }, 'feature work', 'feature');
    remote.commit({ 'a.txt': 'main again' }, 'more main', 'main');
    const updater = createTestUpdater(root, { repo: remote.url, ref: 'feature' });
    expect(await updater.sync()).toMatchObject({ result: 'success', commit: feature });
    expect(published('a.txt')).toBe('feature');
  });

  test('an annotated tag is peeled to its commit, and a moved tag is followed', async () => {
    const v1 = remote.commit({ 'a.txt': 'v1' });
    remote.tag('release', v1, true);
    remote.commit({ 'a.txt': 'later' });
    const updater = createTestUpdater(root, { repo: remote.url, ref: 'release' });
    expect(await updater.sync()).toMatchObject({ result: 'success', commit: v1 });
    expect(published('a.txt')).toBe('v1');

    const v2 = remote.commit({ 'a.txt': 'v2' });
    remote.tag('release', v2, true);
    expect(await updater.sync()).toMatchObject({ result: 'success', commit: v2 });
    expect(published('a.txt')).toBe('v2');
  });

  test('a full commit SHA that is not a branch tip syncs once, then needs no fetch', async () => {
    const old = remote.commit({ 'a.txt': 'old' });
    remote.commit({ 'a.txt': 'new' });
    const updater = createTestUpdater(root, { repo: remote.url, ref: old });
    expect(await updater.sync()).toMatchObject({ result: 'success', commit: old });
    expect(published('a.txt')).toBe('old');
    const fetchesBefore = updater.logs.lines.filter(
      (l) => (l.git as string[] | undefined)?.[0] === 'fetch',
    ).length;
    expect(await updater.sync()).toMatchObject({ result: 'noop', commit: old });
    const fetchesAfter = updater.logs.lines.filter(
      (l) => (l.git as string[] | undefined)?.[0] === 'fetch',
    ).length;
    expect(fetchesAfter).toBe(fetchesBefore);
  });

  test('a ref the remote does not have is a fetch error and publishes nothing', async () => {
    remote.commit({ 'a.txt': 'one' });
    const updater = createTestUpdater(root, { repo: remote.url, ref: 'no-such-branch' });
    const outcome = await updater.sync();
    expect(outcome.result).toBe('error');
    expect(outcome.error?.code).toBe('FETCH_FAILED');
    expect(outcome.error?.message).toMatch(/no-such-branch/);
    expect(existsSync(join(root, 'current'))).toBe(false);
  });
});

describe('fetching', () => {
  test('after the first fetch only what changed is transferred, shallow as it is', async () => {
    const files = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`f${i}.txt`, `file ${i}`]));
    remote.commit(files);
    const updater = createTestUpdater(root, { repo: remote.url });
    await updater.sync();
    const objects = () => {
      const counts = git(join(root, '.git'), 'count-objects', '-v');
      const field = (name: string) => Number(counts.match(new RegExp(`^${name}: (\\d+)$`, 'm'))![1]);
      return field('count') + field('in-pack');
    };
    const before = objects();
    expect(before).toBeGreaterThan(300);
    remote.commit({ 'f7.txt': 'changed' });
    await updater.sync();
    // A commit, its tree and one blob; not the 300 files of the new commit again.
    expect(objects() - before).toBeLessThan(10);
  });
});

describe('history depth', () => {
  test('shallow by default: one commit of history; depth 0 deepens to the whole history', async () => {
    for (let i = 0; i < 5; i++) remote.commit({ 'a.txt': `v${i}` });
    const shallow = createTestUpdater(root, { repo: remote.url });
    await shallow.sync();
    expect(existsSync(join(root, '.git', 'shallow'))).toBe(true);
    expect(git(join(root, 'current'), 'rev-list', '--count', 'HEAD')).toBe('1');

    remote.commit({ 'a.txt': 'v5' });
    const full = createTestUpdater(root, { repo: remote.url, depth: 0 });
    expect(await full.sync()).toMatchObject({ result: 'success' });
    expect(existsSync(join(root, '.git', 'shallow'))).toBe(false);
    expect(git(join(root, 'current'), 'rev-list', '--count', 'HEAD')).toBe('6');
  });
});
