import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { removeExpiredWorktrees } from '../src/publish/cleanup.ts';
import { remote, root, temp, useRemoteRepo } from './helpers/git-fixture.ts';
import { createTestUpdater } from './helpers/updater.ts';

useRemoteRepo();

describe('atomic publishing', () => {
  test.each([
    ['each in a new worktree', 60_000],
    ['the spare brought to each in place', 0],
  ])(
    'a reader walking the link during 100 updates (%s) never sees a mix of two commits',
    async (_name, graceMs) => {
      const files = 20;
      const chain = remote.importChain(101, files);
      remote.moveBranch(chain[0]!);
      // A clock that stands still: on a loaded machine 100 syncs can outlast the 60 s grace period, and
      // the worktrees replaced first would then be reused as the spare, which is the other case.
      const updater = createTestUpdater(root, { repo: remote.url, graceMs, now: () => 1_000_000 });
      expect(await updater.sync()).toMatchObject({ result: 'success', commit: chain[0] });

      const stopFile = join(temp.path, 'stop');
      const reader = spawn(
        process.execPath,
        [
          join(import.meta.dirname, 'fixtures', 'link-reader.ts'),
          join(root, 'current'),
          stopFile,
          String(files),
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let output = '';
      reader.stdout.on('data', (chunk) => {
        output += chunk;
      });
      const exited = new Promise((resolve) => reader.on('exit', resolve));
      try {
        for (const commit of chain.slice(1)) {
          remote.moveBranch(commit);
          expect(await updater.sync()).toMatchObject({ result: 'success', commit });
        }
      } finally {
        writeFileSync(stopFile, '');
        await exited;
      }
      const summary = JSON.parse(output) as { walks: number; trees: number; problems: string[] };
      expect(summary.problems).toEqual([]);
      // The reader really ran alongside: it walked many times and caught many of the trees.
      expect(summary.walks).toBeGreaterThan(100);
      expect(summary.trees).toBeGreaterThan(10);
      const reused = updater.logs
        .messages()
        .filter((msg) => msg === 'brought the spare worktree to the commit');
      expect(reused.length).toBe(graceMs === 0 ? 99 : 0);
    },
    // 100 syncs take 15 to 40 s on a quiet 2-core machine, 80 to 105 s at a load of 8 to 10.
    300_000,
  );

  test.each([
    ['kept as the spare', true],
    ['deleted (--no-reuse-worktrees)', false],
  ])(
    'replaced worktrees stay for the grace period, then the newest is %s; the published one never goes',
    async (_name, reuseWorktrees) => {
      const first = remote.commit({ 'a.txt': 'one' });
      let now = 1_000_000;
      const updater = createTestUpdater(root, {
        repo: remote.url,
        graceMs: 60_000,
        now: () => now,
        reuseWorktrees,
      });
      await updater.sync();
      const second = remote.commit({ 'a.txt': 'two' });
      await updater.sync();
      const stop = AbortSignal.timeout(10_000);
      const clean = () =>
        removeExpiredWorktrees(
          updater.retired,
          updater.repository,
          updater.layout.linkPath,
          updater.logs.logger,
          stop,
        );

      await clean();
      expect(readdirSync(join(root, '.worktrees')).sort()).toEqual([first, second].sort());
      expect(updater.retired.nextExpiryIn()).toBe(60_000);
      now += 59_999;
      await clean();
      expect(readdirSync(join(root, '.worktrees')).sort()).toEqual([first, second].sort());
      now += 1;
      await clean();
      expect(updater.retired.nextExpiryIn()).toBeUndefined();
      if (!reuseWorktrees) {
        expect(readdirSync(join(root, '.worktrees'))).toEqual([second]);
        expect(readdirSync(join(root, '.git', 'worktrees'))).toHaveLength(1);
        return;
      }
      expect(readdirSync(join(root, '.worktrees')).sort()).toEqual([first, second].sort());
      expect(updater.retired.spare).toBe(join(root, '.worktrees', first));
      // Between syncs, a new spare's index is refreshed, so that reusing it stats files instead of reading them.
      const refreshed = updater.logs.lines.filter(
        (line) =>
          (line.git as string[] | undefined)?.[0] === 'update-index' && line.cwd === updater.retired.spare,
      );
      expect(refreshed).toHaveLength(1);

      // The next commit is checked out into the spare; the tree it replaces waits out its grace period.
      const third = remote.commit({ 'a.txt': 'three' });
      expect(await updater.sync()).toMatchObject({ result: 'success', commit: third });
      expect(updater.logs.messages()).toContain('brought the spare worktree to the commit');
      expect(readdirSync(join(root, '.worktrees')).sort()).toEqual([second, third].sort());
      expect(readdirSync(join(root, '.git', 'worktrees'))).toHaveLength(2);
      expect(updater.retired.spare).toBeUndefined();
      now += 60_000;
      await clean();
      expect(updater.retired.spare).toBe(join(root, '.worktrees', second));
    },
  );

  test('a revert to a commit still in its grace period reuses that worktree', async () => {
    const first = remote.commit({ 'a.txt': 'one' });
    const updater = createTestUpdater(root, { repo: remote.url });
    await updater.sync();
    remote.commit({ 'a.txt': 'two' });
    await updater.sync();
    remote.forcePush(first);
    expect(await updater.sync()).toMatchObject({ result: 'success', commit: first });
    expect(updater.logs.messages()).toContain('reusing the existing worktree of this commit');
    expect(updater.retired.size).toBe(1);
  });
});
