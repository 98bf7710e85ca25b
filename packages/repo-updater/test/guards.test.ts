import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runHook } from '../src/hooks/run-hook.ts';
import { makeTempDir, remote, root, temp, useRemoteRepo } from './helpers/git-fixture.ts';
import { createTestUpdater } from './helpers/updater.ts';

useRemoteRepo();

const publishedCommit = () => realpathSync(join(root, 'current')).split('/').at(-1);
const worktrees = () => readdirSync(join(root, '.worktrees')).sort();

describe('validation before publishing', () => {
  test('a failing command keeps the link; the same commit is not tried again; a good one is published', async () => {
    const counter = join(temp.path, 'runs');
    const validate = (dir: string, commit: string, signal: AbortSignal) =>
      runHook(`echo "$REPO_UPDATER_HASH" >> ${counter}; test -f ok.txt`, {
        cwd: dir,
        env: { REPO_UPDATER_HASH: commit },
        timeoutMs: 5000,
        signal,
      }).then(() => {});
    const good = remote.commit({ 'ok.txt': 'yes', 'a.txt': 'one' });
    const updater = createTestUpdater(root, { repo: remote.url, validate });
    expect(await updater.sync()).toMatchObject({ result: 'success', commit: good });

    const bad = remote.commit({ 'ok.txt': null, 'a.txt': 'broken' });
    const refused = await updater.sync();
    expect(refused).toMatchObject({ result: 'rejected', commit: good });
    expect(refused.error).toMatchObject({ code: 'VALIDATION_FAILED', commit: bad });
    expect(publishedCommit()).toBe(good);
    expect(worktrees()).toEqual([good]);
    expect(await updater.sync()).toMatchObject({ result: 'rejected', commit: good });
    expect(readFileSync(counter, 'utf8').trim().split('\n')).toEqual([good, bad]);

    const fixed = remote.commit({ 'ok.txt': 'yes', 'a.txt': 'two' });
    expect(await updater.sync()).toMatchObject({ result: 'success', commit: fixed, previous: good });
  });
});

describe('sync timeout', () => {
  test('a sync past its limit is stopped, its worktree deleted, the link unchanged', async () => {
    const first = remote.commit({ 'a.txt': 'one' });
    const marker = join(temp.path, 'sleeping');
    const validate = (dir: string, _commit: string, signal: AbortSignal) =>
      runHook(`touch ${marker}; sleep 5 && touch ${marker}-woke`, {
        cwd: dir,
        env: {},
        timeoutMs: 10_000,
        signal,
      }).then(() => {});
    const updater = createTestUpdater(root, { repo: remote.url });
    await updater.sync();
    const slow = createTestUpdater(root, { repo: remote.url, validate });
    const second = remote.commit({ 'a.txt': 'two' });
    // The sync's time limit runs out while the command runs (what AbortSignal.timeout does, at a
    // moment chosen by the test rather than by the machine's load).
    const limit = new AbortController();
    const syncing = slow.sync(limit.signal);
    for (let i = 0; i < 400 && !existsSync(marker); i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    limit.abort(new DOMException('sync timed out', 'TimeoutError'));
    const outcome = await syncing;
    expect(performance.now() - started).toBeLessThan(4000);
    expect(outcome).toMatchObject({ result: 'error', commit: first });
    expect(outcome.error).toMatchObject({ code: 'TIMEOUT', step: 'validate', commit: second });
    expect(publishedCommit()).toBe(first);
    expect(worktrees()).toEqual([first]);
    // The whole process group was stopped: the sleep did not live on to finish.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(spawnSync('pgrep', ['-f', `touch ${marker}-woke`]).status).not.toBe(0);
  });
});

// A tmpfs of a few MB as the root. Needs mount(2), so root with CAP_SYS_ADMIN; skipped otherwise.
function canMount(): boolean {
  const probe = makeTempDir('repo-updater-mount-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe.path], { stdio: 'ignore' });
    execFileSync('umount', [probe.path], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    probe.remove();
  }
}

describe.skipIf(!canMount())('full disk', () => {
  test('a checkout that runs out of space is reported, deleted, and never published', async () => {
    mkdirSync(root);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', root]);
    try {
      const first = remote.commit({ 'a.txt': 'one' });
      const updater = createTestUpdater(root, { repo: remote.url });
      expect(await updater.sync()).toMatchObject({ result: 'success', commit: first });
      // One repeated letter packs into a few KB, so the fetch fits; the checkout needs 16 MB and does
      // not. (Not zeros: git writes runs of zeros as holes, which take no space.)
      remote.commit({ 'a.txt': 'two', 'big.bin': 'x'.repeat(16 * 1024 * 1024) });
      const outcome = await updater.sync();
      expect(outcome).toMatchObject({ result: 'error', commit: first });
      expect(outcome.error).toMatchObject({ code: 'NO_SPACE', step: 'checkout' });
      expect(outcome.error?.message).toMatch(/the commit needs 16\.\d MB, [\d.]+ MB free/);
      expect(publishedCommit()).toBe(first);
      expect(readFileSync(join(root, 'current', 'a.txt'), 'utf8')).toBe('one');
      expect(worktrees()).toEqual([first]);

      const third = remote.commit({ 'a.txt': 'three', 'big.bin': null });
      expect(await updater.sync()).toMatchObject({ result: 'success', commit: third });
    } finally {
      execFileSync('umount', ['-l', root]);
    }
  });
});
