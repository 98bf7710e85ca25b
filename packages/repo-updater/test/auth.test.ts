import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { makeTempDir, RemoteRepo } from './helpers/git-fixture.ts';
import { GitHttpServer } from './helpers/git-http-server.ts';
import { createTestUpdater } from './helpers/updater.ts';

let temp: ReturnType<typeof makeTempDir>;
let remote: RemoteRepo;
let server: GitHttpServer;
let passwordFile: string;
let spyLog: string;
let savedPath: string | undefined;

// A `git` first on PATH that writes down its arguments and environment, then runs the real git: what
// any user of the machine could read in /proc while it runs.
function installGitSpy(dir: string): void {
  const bin = join(dir, 'spy-bin');
  mkdirSync(bin);
  spyLog = join(dir, 'spy.log');
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  writeFileSync(
    join(bin, 'git'),
    `#!/bin/sh\n{ echo "ARGV: $*"; env | sed 's/^/ENV: /'; } >> '${spyLog}'\nexec ${realGit} "$@"\n`,
  );
  chmodSync(join(bin, 'git'), 0o755);
  savedPath = process.env.PATH;
  process.env.PATH = `${bin}:${process.env.PATH}`;
}

beforeEach(async () => {
  temp = makeTempDir();
  remote = new RemoteRepo(temp.path);
  server = new GitHttpServer(temp.path);
  server.credentials = { username: 'alice', password: 'first-Secret-42' };
  await server.start();
  passwordFile = join(temp.path, 'password');
  writeFileSync(passwordFile, 'first-Secret-42\n');
  installGitSpy(temp.path);
});
afterEach(async () => {
  process.env.PATH = savedPath;
  await server.stop();
  temp.remove();
});

describe('https auth from files', () => {
  test('password file through the credential helper: works, rotates, never in argv, env or logs', async () => {
    const first = remote.commit({ 'a.txt': 'one' });
    const updater = createTestUpdater(root(), {
      repo: server.url('remote.git'),
      auth: { username: 'alice', passwordFile },
      secrets: () => [readFileSync(passwordFile, 'utf8').trim()],
    });
    expect(await updater.sync()).toMatchObject({ result: 'success', commit: first });
    expect(server.authorizations.at(-1)).toBe(
      `Basic ${Buffer.from('alice:first-Secret-42').toString('base64')}`,
    );

    // The token is rotated: the server and the mounted file change, the updater is not restarted.
    server.credentials = { username: 'alice', password: 'second-Secret-43' };
    writeFileSync(passwordFile, 'second-Secret-43\n');
    const second = remote.commit({ 'a.txt': 'two' });
    expect(await updater.sync()).toMatchObject({ result: 'success', commit: second });

    // The server moves on to a password the file does not have yet.
    server.credentials = { username: 'alice', password: 'third-Secret-44' };
    const failed = await updater.sync();
    expect(failed.error?.code).toBe('FETCH_FAILED');
    expect(failed.error?.message).toMatch(/Authentication failed|401/);

    const spied = readFileSync(spyLog, 'utf8');
    expect(spied).toContain('ARGV: fetch');
    expect(spied).toContain(`ENV: REPO_UPDATER_GIT_PASSWORD_FILE=${passwordFile}`);
    for (const secret of ['first-Secret-42', 'second-Secret-43']) {
      expect(spied).not.toContain(secret);
      expect(updater.logs.text).not.toContain(secret);
    }
  });

  test('credentials written into the repository URL are redacted from logs and errors', async () => {
    remote.commit({ 'a.txt': 'one' });
    const url = `http://alice:first-Secret-42@127.0.0.1:${server.port}/remote.git`;
    const updater = createTestUpdater(root(), { repo: url });
    expect(await updater.sync()).toMatchObject({ result: 'success' });
    await server.stop();
    const failed = await updater.sync();
    expect(failed.result).toBe('error');
    expect(updater.logs.text).toContain('http://***@127.0.0.1');
    expect(updater.logs.text).not.toContain('first-Secret-42');
    expect(failed.error?.message).not.toContain('first-Secret-42');
  });

  test('without credentials git fails at once instead of waiting for a prompt', async () => {
    remote.commit({ 'a.txt': 'one' });
    const updater = createTestUpdater(root(), { repo: server.url('remote.git') });
    const started = performance.now();
    const failed = await updater.sync();
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(failed.error?.code).toBe('FETCH_FAILED');
    expect(failed.error?.message).toMatch(/could not read Username|terminal prompts disabled/);
  });
});

function root(): string {
  return join(temp.path, 'root');
}
