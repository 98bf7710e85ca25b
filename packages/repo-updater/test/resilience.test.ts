import { existsSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readWorktreeAdmin } from '../src/git/worktrees.ts';
import { git, remote, root, temp, useRemoteRepo } from './helpers/git-fixture.ts';
import { GitHttpServer } from './helpers/git-http-server.ts';
import { createTestUpdater } from './helpers/updater.ts';

useRemoteRepo();

/** The link resolves to a complete checkout of `commit`. */
function expectPublished(commit: string, file = 'a.txt', content?: string): void {
  const dir = realpathSync(join(root, 'current'));
  expect(dir.endsWith(`/.worktrees/${commit}`)).toBe(true);
  if (content !== undefined) expect(readFileSync(join(dir, file), 'utf8')).toBe(content);
}

describe('survives', () => {
  test('force-pushes backwards and sideways', async () => {
    const a = remote.commit({ 'a.txt': 'a' });
    const b = remote.commit({ 'a.txt': 'b' });
    const updater = createTestUpdater(root, { repo: remote.url });
    expect(await updater.sync()).toMatchObject({ result: 'success', commit: b });
    remote.forcePush(a);
    expect(await updater.sync()).toMatchObject({ result: 'success', commit: a, previous: b });
    expectPublished(a, 'a.txt', 'a');
    git(remote.work, 'reset', '-q', '--hard', a);
    const c = remote.commit({ 'a.txt': 'c' });
    expect(await updater.sync()).toMatchObject({ result: 'success', commit: c, previous: a });
    expectPublished(c, 'a.txt', 'c');
  });

  test('the remote going away and coming back: the last good tree stays published', async () => {
    const server = new GitHttpServer(temp.path);
    await server.start();
    try {
      const first = remote.commit({ 'a.txt': 'one' });
      const updater = createTestUpdater(root, { repo: server.url('remote.git') });
      expect(await updater.sync()).toMatchObject({ result: 'success', commit: first });
      await server.stop();
      const second = remote.commit({ 'a.txt': 'two' });
      for (let i = 0; i < 2; i++) {
        const outcome = await updater.sync();
        expect(outcome).toMatchObject({ result: 'error', commit: first });
        expect(outcome.error?.code).toBe('FETCH_FAILED');
        expect(outcome.error?.message).toMatch(/Failed to connect|Connection refused|unable to access/);
        expectPublished(first, 'a.txt', 'one');
      }
      await server.start();
      expect(await updater.sync()).toMatchObject({ result: 'success', commit: second });
      expectPublished(second, 'a.txt', 'two');
    } finally {
      await server.stop();
    }
  });

  test('stale index.lock, shallow.lock and ref locks left by a killed git', async () => {
    remote.commit({ 'a.txt': 'one' });
    await createTestUpdater(root, { repo: remote.url }).sync();
    const gitDir = join(root, '.git');
    const admin = relative(gitDir, (await readWorktreeAdmin(realpathSync(join(root, 'current'))))!);
    const locks = ['shallow.lock', 'index.lock', 'HEAD.lock', `${admin}/index.lock`, 'refs/heads/x.lock'];
    for (const lock of locks) writeFileSync(join(gitDir, lock), '');
    // The process that was killed with them is gone; the restarted updater starts over the same root.
    const updater = createTestUpdater(root, { repo: remote.url });
    const second = remote.commit({ 'a.txt': 'two' });
    expect(await updater.sync()).toMatchObject({ result: 'success', commit: second });
    for (const lock of locks) expect(existsSync(join(gitDir, lock))).toBe(false);
    const warning = updater.logs.lines.find((line) => line.msg === 'removed stale git lock files');
    expect(warning?.locks).toEqual(expect.arrayContaining(['shallow.lock', `${admin}/index.lock`]));
  });

  test.each([
    ['objects deleted', (gitDir: string) => rmSync(join(gitDir, 'objects'), { recursive: true })],
    [
      'config overwritten with garbage',
      (gitDir: string) => writeFileSync(join(gitDir, 'config'), '[core\x00garbage'),
    ],
    ['HEAD truncated', (gitDir: string) => writeFileSync(join(gitDir, 'HEAD'), '')],
  ])('a corrupted local repository (%s) is rebuilt and the link never dangles', async (_name, corrupt) => {
    const first = remote.commit({ 'a.txt': 'one' });
    const updater = createTestUpdater(root, { repo: remote.url });
    await updater.sync();
    corrupt(join(root, '.git'));
    const second = remote.commit({ 'a.txt': 'two' });
    let outcome = await updater.sync();
    for (let attempt = 0; attempt < 3 && outcome.result !== 'success'; attempt++) {
      expectPublished(first, 'a.txt', 'one');
      outcome = await updater.sync();
    }
    expect(outcome).toMatchObject({ result: 'success', commit: second });
    expectPublished(second, 'a.txt', 'two');
    expect(git(join(root, 'current'), 'log', '-1', '--format=%H')).toBe(second);
    expect(readdirSync(root).filter((name) => name.startsWith('.git-damaged'))).toEqual([]);
  });

  test('a corrupted repository while the remote has not moved: the same tree stays, git works in it again', async () => {
    const first = remote.commit({ 'a.txt': 'one' });
    const updater = createTestUpdater(root, { repo: remote.url });
    await updater.sync();
    rmSync(join(root, '.git', 'objects'), { recursive: true });
    let outcome = await updater.sync();
    for (let attempt = 0; attempt < 3 && outcome.result === 'error'; attempt++)
      outcome = await updater.sync();
    expect(outcome).toMatchObject({ result: 'noop', commit: first });
    expectPublished(first, 'a.txt', 'one');
    expect(git(join(root, 'current'), 'status', '--porcelain')).toBe('');
    expect(git(join(root, 'current'), 'rev-parse', 'HEAD')).toBe(first);
  });
});
