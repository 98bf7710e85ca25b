import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { git, RemoteRepo, remote, root, temp, testGitEnv, useRemoteRepo } from './helpers/git-fixture.ts';
import { mainFile, type Updater, useUpdaters } from './helpers/program.ts';

useRemoteRepo();
const startUpdater = useUpdaters();

async function runOnce(args: string[]): Promise<Updater> {
  const child = startUpdater(['--root', root, '--one-time', ...args]);
  await child.exitCode(90_000);
  return child;
}

describe('--filter and --sparse-checkout-file', () => {
  test('a partial clone fetches only the blobs the sparse patterns check out, commit after commit', async () => {
    // A plain git remote serves filters only when told to (GitHub and GitLab do).
    git(remote.bare, 'config', 'uploadpack.allowFilter', 'true');
    remote.commit({
      'README.md': 'top',
      'docs/a.md': 'a',
      'docs/private/key.md': 'secret',
      'src/big.bin': 'x'.repeat(100_000),
    });
    const patterns = join(temp.path, 'sparse');
    writeFileSync(patterns, '# what the app serves\n/docs/\n!/docs/private/\n\n');
    const args = ['--repo', remote.url, '--filter', 'blob:none', '--sparse-checkout-file', patterns];
    const first = await runOnce([...args, '--worktree-grace', '0s']);
    expect(first.process.exitCode).toBe(0);
    const current = join(root, 'current');
    // Non-cone patterns: top-level files are not implied as in cone mode, and negation works.
    expect(readdirSync(current).sort()).toEqual(['.git', 'docs']);
    expect(readdirSync(join(current, 'docs'))).toEqual(['a.md']);

    const second = remote.commit({ 'docs/a.md': 'a2', 'src/big.bin': 'y'.repeat(100_000) });
    const again = await runOnce([...args, '--worktree-grace', '0s']);
    expect(again.process.exitCode).toBe(0);
    expect(readFileSync(join(current, 'docs', 'a.md'), 'utf8')).toBe('a2');
    expect(existsSync(join(current, 'src'))).toBe(false);
    expect(again.logs.find((line) => line.msg === 'published a new commit')).toMatchObject({
      commit: second,
    });

    // The local repository has the commits and trees, and of the blobs only those checked out.
    const missing = git(join(root, '.git'), 'rev-list', '--objects', '--missing=print', second)
      .split('\n')
      .filter((line) => line.startsWith('?'))
      .map((line) => line.slice(1));
    for (const path of ['src/big.bin', 'README.md', 'docs/private/key.md']) {
      expect(missing).toContain(git(remote.bare, 'rev-parse', `${second}:${path}`));
    }
    expect(missing).not.toContain(git(remote.bare, 'rev-parse', `${second}:docs/a.md`));
    // The promisor remote reaches git by environment: no URL is written under the root.
    const config = readFileSync(join(root, '.git', 'config'), 'utf8');
    expect(config).toMatch(/partialclone = origin/i);
    expect(config).not.toContain('url =');
  }, 240_000);

  test('a filter that is not a git filter spec, or both kinds of sparse checkout, exit 2', () => {
    const run = (...args: string[]) =>
      spawnSync(
        process.execPath,
        [mainFile, '--admin-addr', '127.0.0.1:0', '--repo', remote.url, '--root', root, ...args],
        {
          encoding: 'utf8',
          env: testGitEnv(),
          timeout: 60_000,
        },
      );
    const filter = run('--filter=--upload-pack=touch /tmp/x');
    expect(filter.status).toBe(2);
    expect(filter.stderr).toContain('--filter: "--upload-pack=touch /tmp/x" is not a git filter spec');
    const patterns = join(temp.path, 'sparse');
    writeFileSync(patterns, '/docs/\n');
    const both = run('--sparse-checkout-file', patterns, '--sparse-paths', 'docs');
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('--sparse-checkout-file and --sparse-paths cannot go together');
  }, 120_000);
});

describe('--error-file', () => {
  test('holds the last failure as JSON, and is deleted by the next success', async () => {
    const missing = join(temp.path, 'later.git');
    const failed = await runOnce(['--repo', missing, '--error-file', 'sync-error.json']);
    expect(failed.process.exitCode).toBe(1);
    // Relative: under --root, as in git-sync.
    const recorded = JSON.parse(readFileSync(join(root, 'sync-error.json'), 'utf8'));
    expect(recorded).toMatchObject({ code: 'FETCH_FAILED', step: 'fetch', failures: 1, commit: null });
    expect(recorded.error).toMatch(/later\.git/);
    expect(Date.now() - Date.parse(recorded.time)).toBeLessThan(120_000);
    expect(readdirSync(root).filter((name) => name.includes('.tmp'))).toEqual([]);

    const other = new RemoteRepo(temp.path, 'later');
    other.commit({ 'a.txt': 'one' });
    const ok = await runOnce(['--repo', missing, '--error-file', 'sync-error.json']);
    expect(ok.process.exitCode).toBe(0);
    expect(existsSync(join(root, 'sync-error.json'))).toBe(false);
  }, 240_000);
});
