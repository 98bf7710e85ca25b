import { spawnSync } from 'node:child_process';
import { existsSync, readlinkSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { options } from '../src/options.ts';
import { remote, root, temp, useRemoteRepo } from './helpers/git-fixture.ts';
import { mainFile, type Updater, useUpdaters } from './helpers/program.ts';

useRemoteRepo();
const startUpdater = useUpdaters();

function start(args: string[], env: Record<string, string> = {}): Updater {
  return startUpdater(['--root', root, ...args], env);
}

describe('command line', () => {
  test('--help lists every option with its env var; a bad flag or value exits 2', () => {
    const help = spawnSync(process.execPath, [mainFile, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    for (const key of Object.keys(options)) {
      const flag = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      expect(help.stdout).toContain(`--${flag}`);
      expect(help.stdout).toContain(`REPO_UPDATER_${flag.replace(/-/g, '_').toUpperCase()}`);
    }
    const unknown = spawnSync(process.execPath, [mainFile, '--repo', 'x', '--root', 'y', '--nope'], {
      encoding: 'utf8',
    });
    expect(unknown.status).toBe(2);
    const badRef = spawnSync(process.execPath, [mainFile, '--repo', 'x', '--root', root, '--ref', 'a..b'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    expect(badRef.status).toBe(2);
    expect(badRef.stderr).toContain('repo-updater: --ref: "a..b" is not a branch, tag or full commit SHA');
  });
});

describe('--one-time', () => {
  test('syncs, publishes and exits 0', async () => {
    const commit = remote.commit({ 'a.txt': 'one' });
    const child = start(['--repo', remote.url, '--one-time']);
    expect(await child.exitCode(20_000)).toBe(0);
    expect(readlinkSync(join(root, 'current'))).toBe(`.worktrees/${commit}`);
  });

  test('--group-write leaves the worktree and the repository group-writable', async () => {
    remote.commit({ 'a.txt': 'one', 'dir/b.txt': 'two' });
    const child = start(['--repo', remote.url, '--one-time', '--group-write']);
    expect(await child.exitCode(20_000)).toBe(0);
    for (const path of ['current/a.txt', 'current/dir', 'current/dir/b.txt', '.git/objects', '.worktrees']) {
      expect(statSync(join(root, path)).mode & 0o020).toBe(0o020);
    }
  });

  test('run after run over one root: a tree past --worktree-grace is the spare the next commit goes into, unless --no-reuse-worktrees', async () => {
    const run = async (...extra: string[]) => {
      const commit = remote.commit({ 'a.txt': `${Date.now()}` });
      const child = start(['--repo', remote.url, '--one-time', '--worktree-grace', '0s', ...extra]);
      expect(await child.exitCode(20_000)).toBe(0);
      expect(readlinkSync(join(root, 'current'))).toBe(`.worktrees/${commit}`);
      return child.logs.find((line) => line.msg === 'published a new commit')?.checkout;
    };
    expect(await run()).toBe('new');
    // The first commit is still published at start-up: nothing to reuse yet.
    expect(await run()).toBe('new');
    expect(await run()).toBe('spare');
    expect(await run('--no-reuse-worktrees')).toBe('new');
  });

  test('exits 1 after --init-max-failures tries, with backoff between them', async () => {
    const child = start([
      '--repo',
      join(temp.path, 'missing.git'),
      '--one-time',
      '--init-max-failures',
      '3',
      '--init-retry-backoff',
      '20ms',
    ]);
    expect(await child.exitCode(20_000)).toBe(1);
    const failures = child.logs.filter((line) => line.msg === 'sync failed');
    expect(failures.map((line) => line.failures)).toEqual([1, 2, 3]);
    expect(failures[0]).toMatchObject({ code: 'FETCH_FAILED', step: 'fetch' });
    expect(existsSync(join(root, 'current'))).toBe(false);
  });
});

describe('long-running', () => {
  test('after the first success, --max-failures consecutive failures end the program with 1', async () => {
    remote.commit({ 'a.txt': 'one' });
    const child = start([
      '--repo',
      remote.url,
      '--period',
      '50ms',
      '--max-failures',
      '2',
      '--retry-backoff',
      '20ms',
    ]);
    await child.waitForMessage('ready');
    renameSync(remote.bare, `${remote.bare}.away`);
    expect(await child.exitCode(20_000)).toBe(1);
    expect(child.logs.filter((line) => line.msg === 'sync failed')).toHaveLength(2);
    expect(child.logs.some((line) => line.msg === 'too many consecutive failures: giving up')).toBe(true);
    expect(existsSync(join(root, 'current', 'a.txt'))).toBe(true);
  });

  test('not ready until the first success; keeps serving and retrying while the remote is away', async () => {
    const child = start([
      ...['--repo', remote.url, '--period', '100ms', '--init-retry-backoff', '50ms'],
      ...['--stale-after', '300ms'],
    ]);
    const admin = await child.adminUrl();
    await child.waitForMessage('sync failed');
    expect((await fetch(`${admin}/readyz`)).status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await (await fetch(`${admin}/metrics`)).text()).toContain('repo_updater_stale 1');
    await child.waitForMessage('stale: no successful sync within --stale-after');
    const commit = remote.commit({ 'a.txt': 'one' });
    await child.waitForMessage('ready');
    expect((await fetch(`${admin}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${admin}/metrics`)).text()).toContain('repo_updater_stale 0');
    expect(readlinkSync(join(root, 'current'))).toBe(`.worktrees/${commit}`);
    child.process.kill('SIGTERM');
    expect(await child.exitCode()).toBe(0);
  });
});
