import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { removeExpiredWorktrees } from '../src/publish/cleanup.ts';
import { makeTempDir, RemoteRepo } from './helpers/git-fixture.ts';
import { createTestUpdater } from './helpers/updater.ts';

let temp: ReturnType<typeof makeTempDir>;
let remote: RemoteRepo;
let root: string;

beforeEach(() => {
  temp = makeTempDir();
  remote = new RemoteRepo(temp.path);
  root = join(temp.path, 'root');
});
afterEach(() => temp.remove());

describe('atomic publishing', () => {
  test('a reader walking the link during 100 updates never sees a mix of two commits', async () => {
    const files = 20;
    const chain = remote.importChain(101, files);
    remote.moveBranch(chain[0]!);
    const updater = createTestUpdater(root, { repo: remote.url });
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
  }, 60_000);

  test('replaced worktrees stay for the grace period, then go; the published one never does', async () => {
    const first = remote.commit({ 'a.txt': 'one' });
    let now = 1_000_000;
    const updater = createTestUpdater(root, { repo: remote.url, graceMs: 60_000, now: () => now });
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
    expect(readdirSync(join(root, '.worktrees'))).toEqual([second]);
    expect(existsSync(join(root, '.git', 'worktrees', first))).toBe(false);
    expect(updater.retired.nextExpiryIn()).toBeUndefined();
  });

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
