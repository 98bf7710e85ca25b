// repo-updater in its image (toolkit/node-git-base:local under the tests: the host's git, ssh, sh and
// cat): --one-time, hardened, from a bare repository bind-mounted read-only; then the Compose demo with
// the demo app serving the checkout, a new commit pushed and synced by POST /sync, and `docker stop`.
// Images come from the global setup.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { containerProcesses, zombiesOf } from './helpers/container-processes.ts';
import {
  hostPortUrl,
  httpGet,
  publishedUrl,
  runCommand,
  testLabel,
  uniqueName,
  waitForHttp,
} from './helpers/docker.ts';
import {
  Containers,
  composeProject,
  dockerSuite,
  expectQuickCleanStop,
  expectToolkitImage,
  hardened,
  stopAndMeasure,
} from './helpers/docker-suite.ts';
import { sample } from './helpers/prometheus-text.ts';

const { status, skipped, noCompose } = dockerSuite();
const updaterImage = 'toolkit/repo-updater:latest';
const token = 'e2e-sync-token';

/** The commit the demo app serves at /content/: it reads the worktree's HEAD behind the link. */
async function servedCommit(web: string): Promise<string> {
  return JSON.parse((await httpGet(`${web}/-/status`)).body).content.revision;
}

/** Host git with no user or system config, so the host's settings change nothing. */
function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.invalid', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', HOME: cwd },
  });
}

describe.skipIf(!status.available)(`repo-updater in Docker${skipped}`, () => {
  let dir = '';
  let bare = '';
  let work = '';
  let first = '';
  const containers = new Containers();

  /** A commit of `files` in the work tree, pushed to the bare repository; returns its hash. */
  function commit(files: Record<string, string>, message: string): string {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(work, name), text);
    git(work, 'add', '--all');
    git(work, 'commit', '--quiet', '--message', message);
    git(work, 'push', '--quiet', bare, 'HEAD:main');
    return git(work, 'rev-parse', 'HEAD').trim();
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'repo-updater-e2e-'));
    chmodSync(dir, 0o755);
    bare = join(dir, 'site.git');
    work = join(dir, 'work');
    git(dir, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
    git(dir, 'init', '--quiet', '--initial-branch=main', work);
    execFileSync('mkdir', ['-p', join(work, 'docs')]);
    first = commit({ 'index.html': '<h1>first</h1>\n', 'docs/page.txt': 'a page\n' }, 'first');
  });

  afterAll(async () => {
    await containers.remove();
    // Files written by uid 65532 into the bind-mounted target: removed as root from a container.
    if (dir) {
      await runCommand(
        'docker',
        [
          'run',
          '--rm',
          '--label',
          testLabel,
          '--user',
          '0:0',
          '--volume',
          `${dir}:/x`,
          '--entrypoint',
          'node',
          updaterImage,
          '-e',
          "const fs = require('fs'); for (const e of fs.readdirSync('/x')) fs.rmSync('/x/' + e, { recursive: true, force: true });",
        ],
        { timeoutMs: 30_000 },
      );
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the image: git, ssh, sh and cat for uid 65532 with no HOME; labels, user, entrypoint', async () => {
    await expectToolkitImage(updaterImage, 'repo-updater', [9090]);
    const tools = await runCommand('docker', [
      'run',
      '--rm',
      '--label',
      testLabel,
      ...hardened,
      '--entrypoint',
      '/bin/sh',
      updaterImage,
      '-c',
      'unset HOME; git --version && ssh -V 2>&1 && echo ok | cat',
    ]);
    expect(tools.code, tools.stderr).toBe(0);
    expect(tools.stdout).toMatch(/^git version 2\./m);
    expect(tools.stdout).toMatch(/^OpenSSH_/m);
    expect(tools.stdout).toMatch(/^ok$/m);
  });

  test('--one-time, hardened, from a read-only bare repository of another uid, no gitconfig mounted: `current` → a complete tree, exit 0', async () => {
    // The bare repository is this test's (root's), not 65532's: git refuses such a repository ("dubious
    // ownership") unless protected config trusts it, and repo-updater's own global config does.
    const target = join(dir, 'target');
    execFileSync('mkdir', ['-m', '0777', target]);
    chmodSync(target, 0o777);
    const run = await runCommand(
      'docker',
      [
        'run',
        '--name',
        containers.name('repo-updater-e2e-once'),
        '--label',
        testLabel,
        ...hardened,
        '--volume',
        `${bare}:/source.git:ro`,
        '--volume',
        `${target}:/repo`,
        updaterImage,
        '--repo',
        '/source.git',
        '--ref',
        'main',
        '--root',
        '/repo',
        '--one-time',
        '--admin-addr',
        '127.0.0.1:0',
      ],
      { timeoutMs: 30_000 },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/published a new commit/);
    expect(readlinkSync(join(target, 'current'))).toBe(`.worktrees/${first}`);
    expect(readFileSync(join(target, 'current/index.html'), 'utf8')).toBe('<h1>first</h1>\n');
    expect(readFileSync(join(target, 'current/docs/page.txt'), 'utf8')).toBe('a page\n');
  });

  /** The updater as a server, hardened, its admin port published; resolves with its name and URL. */
  async function startUpdater(prefix: string, args: string[]): Promise<{ name: string; admin: string }> {
    const name = await containers.start(uniqueName(prefix), [
      ...hardened,
      '--publish',
      '127.0.0.1:0:9090',
      '--volume',
      `${dir}:/source:ro`,
      updaterImage,
      ...['--root', '/tmp/repo', '--admin-addr', '0.0.0.0:9090', ...args],
    ]);
    return { name, admin: await publishedUrl(name, 9090) };
  }

  test('as PID 1 after many failed fetches: no zombie (each failed local fetch used to leave an sh); docker stop exits 0 at once', async () => {
    execFileSync('mkdir', ['-p', join(dir, 'not-a-repository')]);
    const { name, admin } = await startUpdater('repo-updater-e2e-failing', [
      ...['--repo', '/source/not-a-repository', '--period', '100ms'],
      ...['--init-retry-backoff', '50ms', '--init-retry-backoff-max', '100ms'],
    ]);
    await waitForHttp(
      `${admin}/metrics`,
      (r) => (sample(r.body, 'repo_updater_fetches_total{result="error"}') ?? 0) >= 12,
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(await zombiesOf(name)).toEqual([]);
    const init = (await containerProcesses(name)).find((p) => p.pid === 1);
    expect(init?.comm).toBe('tini');
    await expectQuickCleanStop(name);
  }, 90_000);

  test("as PID 1 after --notify-command 'sleep 0.2 &' ran many times: no zombie; docker stop exits 0 at once", async () => {
    const { name, admin } = await startUpdater('repo-updater-e2e-notify', [
      ...['--repo', '/source/site.git', '--ref', 'main', '--period', '10m'],
      // Each run leaves eight sleeps behind and fails, so it is retried (the delay doubles): 40 orphans.
      ...['--notify-command', 'for i in 1 2 3 4 5 6 7 8; do sleep 0.2 & done; exit 1'],
      ...['--notify-backoff', '50ms', '--notify-max-attempts', '5'],
    ]);
    const runs = (body: string) =>
      sample(body, 'repo_updater_hook_runs_total{hook="command",result="error"}') ?? 0;
    await waitForHttp(`${admin}/metrics`, (r) => runs(r.body) >= 5, { timeoutMs: 60_000, intervalMs: 500 });
    // Every sleep has ended by now: under a PID 1 that does not reap, each would be a zombie.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await zombiesOf(name)).toEqual([]);
    await expectQuickCleanStop(name);
  }, 90_000);

  describe.skipIf(!status.compose)(`the Compose demo${noCompose}`, () => {
    // `bare` is made in beforeAll: read when compose runs.
    const { compose, expectDown } = composeProject(status, 'repo-updater-e2e', 'repo-updater.yaml', () => ({
      REPO_DEMO_WEB_PORT: '0',
      REPO_UPDATER_PORT: '0',
      REPO_UPDATER_DEMO_REPO: bare,
      REPO_UPDATER_DEMO_REF: 'main',
      REPO_UPDATER_SYNC_TOKEN: token,
      // Only POST /sync brings the second commit within the test.
      REPO_UPDATER_PERIOD: '10m',
    }));

    afterAll(async () => {
      await compose(['down', '--volumes', '--timeout', '10']);
    });

    test('up: the web server serves the checkout; a pushed commit is served after POST /sync; stop exits 0; down', async () => {
      const up = await compose(['up', '--detach']);
      expect(up.code, up.stderr).toBe(0);
      const web = hostPortUrl((await compose(['port', 'web', '8080'])).stdout);
      const admin = hostPortUrl((await compose(['port', 'repo-updater', '9090'])).stdout);
      await waitForHttp(`${admin}/readyz`, (r) => r.status === 200, { timeoutMs: 20_000 });

      expect(
        (await waitForHttp(`${web}/content/`, (r) => r.status === 200, { timeoutMs: 10_000 })).body,
      ).toBe('<h1>first</h1>\n');
      expect((await httpGet(`${web}/content/docs/page.txt`)).body).toBe('a page\n');
      expect(await servedCommit(web)).toBe(first);
      expect((await httpGet(`${web}/content/.git`)).status).toBe(404);

      const second = commit({ 'index.html': '<h1>second</h1>\n' }, 'second');
      const refused = await fetch(`${admin}/sync`, {
        method: 'POST',
        headers: { authorization: 'Bearer wrong' },
        signal: AbortSignal.timeout(5_000),
      });
      expect(refused.status).toBeGreaterThanOrEqual(401);
      expect(refused.status).toBeLessThan(404);
      const started = Date.now();
      const accepted = await fetch(`${admin}/sync`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(5_000),
      });
      expect(accepted.status).toBe(202);
      await waitForHttp(`${web}/content/`, (r) => r.body === '<h1>second</h1>\n', {
        timeoutMs: 5_000,
        intervalMs: 100,
      });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(await servedCommit(web)).toBe(second);
      expect((await httpGet(`${web}/content/docs/page.txt`)).body).toBe('a page\n');

      const updater = (await compose(['ps', '--quiet', 'repo-updater'])).stdout.trim();
      const stopped = await stopAndMeasure(updater, 20);
      expect({ ExitCode: stopped.ExitCode, OOMKilled: stopped.OOMKilled }).toEqual({
        ExitCode: 0,
        OOMKilled: false,
      });
      expect(stopped.commandMs).toBeLessThan(10_000);
      // The published tree stays served without the updater.
      expect((await httpGet(`${web}/content/`)).body).toBe('<h1>second</h1>\n');

      await expectDown();
    }, 120_000);
  });
});
