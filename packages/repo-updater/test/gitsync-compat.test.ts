import { spawnSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { gitSyncEnv, gitSyncFlags, optionForGitSyncFlag } from '../src/gitsync-compat.ts';
import { options } from '../src/options.ts';
import { remote, root, temp, testGitEnv, useRemoteRepo } from './helpers/git-fixture.ts';
import { mainFile, useUpdaters } from './helpers/program.ts';

// Every flag of kubernetes/git-sync v4.7 (`git-sync --help`), then the v3 names it still takes: written
// out here, apart from the declaration, so a flag dropped from it fails this test.
const gitSyncV4 = [
  'verbose', 'repo', 'ref', 'depth', 'filter', 'submodules', 'sparse-checkout-file', 'root', 'link',
  'error-file', 'init-period', 'period', 'sync-timeout', 'one-time', 'sync-on-signal', 'max-failures',
  'init-max-failures', 'touch-file', 'add-user', 'group-write', 'stale-worktree-timeout',
  'exechook-command', 'exechook-timeout', 'exechook-backoff', 'pre-publish-exechook-command',
  'pre-publish-exechook-timeout', 'pre-publish-exechook-backoff', 'webhook-url', 'webhook-method',
  'webhook-success-status', 'webhook-timeout', 'webhook-backoff', 'username', 'password', 'password-file',
  'credential', 'ssh-key-file', 'ssh-known-hosts', 'ssh-known-hosts-file', 'cookie-file', 'askpass-url',
  'github-base-url', 'github-app-private-key', 'github-app-private-key-file', 'github-app-client-id',
  'github-app-application-id', 'github-app-installation-id', 'git', 'git-config', 'git-config-add',
  'git-gc', 'http-bind', 'http-metrics', 'http-pprof', 'man',
  'branch', 'rev', 'dest', 'wait', 'timeout', 'max-sync-failures', 'sync-hook-command',
  'change-permissions', 'ssh',
]; // biome-ignore format: a list

useRemoteRepo();
const startUpdater = useUpdaters();

/** The program run to its end with a clean environment: its exit status and stderr. */
function runToEnd(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [mainFile, '--admin-addr', '127.0.0.1:0', ...args], {
    encoding: 'utf8',
    env: { ...(testGitEnv() as Record<string, string>), ...env },
    timeout: 60_000,
  });
}

describe('the declaration', () => {
  test('covers every git-sync v4 flag: each is an option of ours or refused, and no alias names another', () => {
    expect(gitSyncFlags.map((entry) => entry.flag)).toEqual(gitSyncV4);
    for (const entry of gitSyncFlags) {
      const key = optionForGitSyncFlag(options, entry.flag);
      if (entry.refused === undefined) expect(key, entry.flag).toBeDefined();
      else expect(key, entry.flag).toBeUndefined();
    }
    const aliases = Object.values(options).flatMap((spec) => [
      ...('aliases' in spec ? spec.aliases : []),
      ...('envAliases' in spec ? spec.envAliases : []),
    ]);
    const listed = new Set(gitSyncFlags.flatMap((entry) => [entry.flag, gitSyncEnv(entry.flag)]));
    for (const alias of aliases) expect(listed.has(alias), alias).toBe(true);
  });
});

describe('a git-sync deployment', () => {
  test('runs with its own flags and GITSYNC_* env vars, warning once per alias used', async () => {
    const commit = remote.commit({ 'a.txt': 'one' });
    const hookOut = join(temp.path, 'hook-out');
    const child = startUpdater(
      [
        '--exechook-command',
        `printf '%s %s' "$GITSYNC_HASH" "$(cat a.txt)" > ${hookOut}`,
        '--touch-file',
        'synced',
        '--stale-worktree-timeout',
        '0s',
      ],
      {
        GITSYNC_REPO: remote.url,
        GITSYNC_ROOT: root,
        GITSYNC_LINK: 'html',
        GITSYNC_ONE_TIME: 'true',
        GITSYNC_GIT_CONFIG: 'core.quotepath:false',
      },
    );
    expect(await child.exitCode(60_000)).toBe(0);
    expect(readlinkSync(join(root, 'html'))).toBe(`.worktrees/${commit}`);
    expect(readFileSync(hookOut, 'utf8')).toBe(`${commit} one`);
    // git-sync resolves a relative --touch-file under --root.
    expect(readFileSync(join(root, 'synced'), 'utf8')).toBe(`${commit}\n`);
    const warnings = child.logs.filter((line) => line.alias !== undefined);
    expect(warnings.map((line) => [line.alias, line.option])).toEqual([
      ['GITSYNC_REPO', '--repo'],
      ['GITSYNC_ROOT', '--root'],
      ['GITSYNC_LINK', '--link'],
      ['GITSYNC_ONE_TIME', '--one-time'],
      ['--stale-worktree-timeout', '--worktree-grace'],
      ['GITSYNC_GIT_CONFIG', '--git-config'],
      ['--exechook-command', '--notify-command'],
      ['--touch-file', '--notify-touch-file'],
    ]);
    expect(warnings.every((line) => line.level === 'warn')).toBe(true);
    expect(warnings[0]!.msg).toBe('GITSYNC_REPO is read as --repo: prefer --repo');
  }, 120_000);

  test('a flag whose meaning differs, given or in the environment, stops it with exit 2 and the reason', () => {
    const base = ['--repo', remote.url, '--root', root, '--one-time'];
    const gc = runToEnd([...base, '--git-gc', 'off']);
    expect(gc.status).toBe(2);
    expect(gc.stderr).toContain(
      'repo-updater: --git-gc is not supported: repo-updater runs `git gc --auto` after syncs',
    );
    const bind = runToEnd(base, { GITSYNC_HTTP_BIND: ':8080' });
    expect(bind.status).toBe(2);
    expect(bind.stderr).toContain(
      'repo-updater: GITSYNC_HTTP_BIND is not supported: health, metrics and POST /sync are served on --admin-addr',
    );
    const v3 = runToEnd([...base, '--branch=main']);
    expect(v3.status).toBe(2);
    expect(v3.stderr).toContain('--branch is not supported: a git-sync v3 name: use --ref');
  }, 120_000);

  test('--max-failures 0, which means the first failure in git-sync and never here, is refused from any source', () => {
    const base = ['--repo', remote.url, '--root', root, '--one-time'];
    for (const [args, env] of [
      [['--max-failures', '0'], {}],
      [[], { GITSYNC_MAX_FAILURES: '0' }],
      [[], { REPO_UPDATER_INIT_MAX_FAILURES: '0' }],
    ] as const) {
      const result = runToEnd([...base, ...args], env);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(
        /--(init-)?max-failures: 0 is ambiguous: git-sync exits on the first failure, repo-updater used to retry forever; say --(init-)?max-failures 1 to exit on the first failure or --(init-)?max-failures -1 to never give up/,
      );
    }
    // git-sync's "retry forever" is taken as is.
    remote.commit({ 'a.txt': 'one' });
    const forever = runToEnd(base, { GITSYNC_MAX_FAILURES: '-1' });
    expect(forever.status).toBe(0);
  }, 180_000);
});
