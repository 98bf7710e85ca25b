import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildGitEnvironment, buildSshCommand } from '../src/git/auth.ts';
import { globalGitConfigText, safeDirectoriesFor, writeGlobalGitConfig } from '../src/git/global-config.ts';
import { Redactor, redactUrlCredentials } from '../src/git/redact.ts';
import { parseRef } from '../src/git/refs.ts';
import { RetiredWorktrees } from '../src/publish/retired.ts';
import { toSyncError } from '../src/sync/sync-error.ts';
import { verifySyncRequest } from '../src/webhook/verify.ts';

describe('refs', () => {
  test.each([
    ['', { kind: 'head' }],
    ['HEAD', { kind: 'head' }],
    ['main', { kind: 'name', name: 'main' }],
    ['release/v1.2', { kind: 'name', name: 'release/v1.2' }],
    ['refs/tags/v1', { kind: 'name', name: 'refs/tags/v1' }],
    ['cafe123', { kind: 'name', name: 'cafe123' }],
    ['A'.repeat(40), { kind: 'commit', sha: 'a'.repeat(40) }],
  ])('%j', (text, expected) => expect(parseRef(text)).toEqual(expected));

  test.each(['-upload-pack=x', 'a b', 'a..b', 'a:b', 'x.lock', 'a^', '/abs', 'a//b', 'a@{1}'])(
    '%j is refused',
    (text) => expect(parseRef(text)).toBeUndefined(),
  );
});

describe('redaction', () => {
  test('credentials in URLs and known secrets', () => {
    expect(redactUrlCredentials('fatal: unable to access https://bob:hunter22@git.example/x.git/')).toBe(
      'fatal: unable to access https://***@git.example/x.git/',
    );
    expect(redactUrlCredentials('git@github.com:org/repo.git')).toBe('git@github.com:org/repo.git');
    const redactor = new Redactor(() => ['s3cr3t-token', 'ab']);
    expect(redactor.redact('token s3cr3t-token and ab')).toBe('token *** and ab');
  });
});

describe('git environment', () => {
  test('no GIT_* from outside, no program settings, config through the environment, paths not secrets', () => {
    const { env, gitKeys } = buildGitEnvironment(
      { username: 'alice', passwordFile: '/run/secrets/token' },
      [['http.sslCAInfo', '/ca.pem']],
      '/data',
      { PATH: '/bin', GIT_DIR: '/elsewhere', REPO_UPDATER_SYNC_TOKEN: 'abc', EDITOR: 'vi' },
    );
    expect(env.GIT_DIR).toBeUndefined();
    expect(env.REPO_UPDATER_SYNC_TOKEN).toBeUndefined();
    expect(env.EDITOR).toBeUndefined();
    expect(env).toMatchObject({
      PATH: '/bin',
      GIT_TERMINAL_PROMPT: '0',
      GIT_CEILING_DIRECTORIES: '/data',
      GIT_CONFIG_COUNT: '5',
      GIT_CONFIG_KEY_0: 'credential.helper',
      GIT_CONFIG_VALUE_0: '',
      GIT_CONFIG_KEY_1: 'credential.helper',
      GIT_CONFIG_KEY_2: 'http.sslCAInfo',
      REPO_UPDATER_GIT_PASSWORD_FILE: '/run/secrets/token',
      REPO_UPDATER_GIT_USERNAME: 'alice',
    });
    expect(gitKeys).toContain('GIT_CONFIG_VALUE_2');
  });

  test('gc and maintenance never detach, whatever --git-config says; other keys pass; safe.directory from our global file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'repo-updater-env-'));
    try {
      const odd = join(dir, 'a "quoted" dir #1');
      expect(safeDirectoriesFor('file:///srv/site.git', '/data')).toContain('/srv/site.git');
      const config = writeGlobalGitConfig(safeDirectoriesFor(odd, '/data'), dir);
      const { env } = buildGitEnvironment(
        {},
        [
          ['gc.autoDetach', 'true'],
          ['http.sslCAInfo', '/ca.pem'],
        ],
        '/data',
        { PATH: process.env.PATH },
        config.path,
      );
      const get = (...args: string[]) =>
        execFileSync('git', ['config', ...args], { cwd: dir, env, encoding: 'utf8' }).trim();
      expect(get('--get', 'gc.autoDetach')).toBe('false');
      expect(get('--get', 'maintenance.autoDetach')).toBe('false');
      expect(get('--get', 'http.sslCAInfo')).toBe('/ca.pem');
      expect(get('--global', '--get-all', 'safe.directory').split('\n')).toEqual([
        '/data',
        '/data/.git',
        odd,
        join(odd, '.git'),
      ]);
      await config.remove();
      expect(existsSync(config.path)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the user's ~/.gitconfig is included in our global file when there is one", () => {
    const home = mkdtempSync(join(tmpdir(), 'repo-updater-home-'));
    try {
      expect(globalGitConfigText(['/r'], home)).toBe('[safe]\n\tdirectory = "/r"\n');
      writeFileSync(join(home, '.gitconfig'), '[user]\n\tname = x\n');
      expect(globalGitConfigText(['/r'], home)).toBe(
        `[include]\n\tpath = "${home}/.gitconfig"\n[safe]\n\tdirectory = "/r"\n`,
      );
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test('ssh: key and known hosts by path, quoted for the shell', () => {
    expect(buildSshCommand({})).toBeUndefined();
    expect(buildSshCommand({ sshKeyFile: "/keys/it's", sshKnownHostsFile: '/keys/known_hosts' })).toBe(
      "ssh -o BatchMode=yes -i '/keys/it'\\''s' -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile='/keys/known_hosts'",
    );
    expect(buildSshCommand({ sshSkipHostKeyCheck: true })).toContain('StrictHostKeyChecking=no');
  });
});

describe('retired worktrees', () => {
  test('expire after the grace period; a restored one does not', () => {
    let now = 1000;
    const retired = new RetiredWorktrees(500, () => now);
    retired.retire('/w/a');
    now += 200;
    retired.retire('/w/b');
    retired.retire('/w/a');
    expect(retired.nextExpiryIn()).toBe(300);
    now += 300;
    expect(retired.takeExpired()).toEqual(['/w/a']);
    retired.restore('/w/b');
    expect(retired.nextExpiryIn()).toBeUndefined();
  });

  test('with a spare: the newest expired one is kept instead of deleted, and handed over once', () => {
    let now = 1000;
    const retired = new RetiredWorktrees(500, () => now, true);
    retired.retire('/w/a');
    now += 100;
    retired.retire('/w/b');
    now += 100;
    retired.retire('/w/c');
    // Within their grace period none is handed over.
    expect(retired.takeSpare()).toBeUndefined();
    now += 450;
    expect(retired.takeExpired()).toEqual(['/w/a']);
    expect(retired.spare).toBe('/w/b');
    expect(retired.nextExpiryIn()).toBe(50);
    expect(retired.takeSpare(['/w/b'])).toBeUndefined();
    now += 50;
    // c's grace period is over too, and it is newer than the spare kept so far.
    expect(retired.takeSpare()).toBe('/w/c');
    expect(retired.spare).toBe('/w/b');
    expect(retired.takeExpired()).toEqual([]);
    expect(retired.takeSpare()).toBe('/w/b');
    expect(retired.spare).toBeUndefined();
    retired.retire('/w/d');
    retired.restore('/w/d');
    expect(retired.takeSpare()).toBeUndefined();
  });
});

describe('POST /sync authorisation', () => {
  const token = 'webhook-secret';
  const body = Buffer.from('{"ref":"refs/heads/main"}');
  const sign = (data: Buffer, key = token) =>
    `sha256=${createHmac('sha256', key).update(data).digest('hex')}`;

  test.each([
    ['GitHub signature', { 'x-hub-signature-256': sign(body) }, { ok: true, via: 'github' }],
    ['GitLab token', { 'x-gitlab-token': token }, { ok: true, via: 'gitlab' }],
    ['bearer token', { authorization: `Bearer ${token}` }, { ok: true, via: 'bearer' }],
  ])('%s is accepted', (_name, headers, verdict) =>
    expect(verifySyncRequest(headers, body, token)).toEqual(verdict),
  );

  test.each([
    ['no credentials', {}],
    ['a signature of another body', { 'x-hub-signature-256': sign(Buffer.from('{}')) }],
    ['a signature with another key', { 'x-hub-signature-256': sign(body, 'guess') }],
    ['a malformed signature', { 'x-hub-signature-256': 'sha1=abc' }],
    [
      'a bad signature next to a good token',
      { 'x-hub-signature-256': sign(body, 'x'), authorization: `Bearer ${token}` },
    ],
    ['a wrong GitLab token', { 'x-gitlab-token': 'webhook-secreT' }],
    ['a wrong bearer token', { authorization: 'Bearer webhook' }],
  ])('%s is refused', (_name, headers) => expect(verifySyncRequest(headers, body, token).ok).toBe(false));
});

describe('sync errors', () => {
  test('the timeout of the sync, shutdown, a full disk and git failures are told apart', async () => {
    const timedOut = AbortSignal.any([new AbortController().signal, AbortSignal.timeout(1)]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(toSyncError(new Error('x'), 'fetch', timedOut)).toMatchObject({ code: 'TIMEOUT', step: 'fetch' });
    const stopping = new AbortController();
    stopping.abort(new Error('SIGTERM'));
    expect(toSyncError(new Error('x'), 'checkout', stopping.signal).code).toBe('ABORTED');
    const running = new AbortController().signal;
    const full = toSyncError(new Error('fatal: write error: No space left on device'), 'fetch', running);
    expect(full.code).toBe('NO_SPACE');
    const git = toSyncError(new Error("hint: x\nfatal: couldn't find remote ref nope\n"), 'fetch', running);
    expect(git).toMatchObject({ code: 'FETCH_FAILED', message: "fatal: couldn't find remote ref nope" });
  });
});
