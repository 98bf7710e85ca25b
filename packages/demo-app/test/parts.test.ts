import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { AccessLog } from '../src/access-log.ts';
import { AppConfig } from '../src/app-config.ts';
import { Content } from '../src/content.ts';
import { LogInbox } from '../src/log-inbox.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'demo-app-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function git(cwd: string, ...args: string[]): string {
  const result = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], {
    cwd,
    encoding: 'utf8',
  });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.trim();
}

describe('AppConfig', () => {
  test('loads at start, counts reloads, keeps the last good config when the file breaks', () => {
    const file = join(dir, 'app.json');
    const config = new AppConfig(file);
    expect(config.load('start')).toBe(false);
    expect(config.status).toMatchObject({ loaded: false, error: expect.stringMatching(/ENOENT/) });

    writeFileSync(file, '{"message": "one"}');
    expect(config.load('start')).toBe(true);
    expect(config.status).toMatchObject({ loaded: true, reloads: 0, message: 'one', reason: 'start' });

    writeFileSync(file, '{"message": "two"}');
    expect(config.load('http', 'rev-2')).toBe(true);
    expect(config.status).toMatchObject({ reloads: 1, message: 'two', reason: 'http', revision: 'rev-2' });

    writeFileSync(file, '{"message": ');
    expect(config.load('signal')).toBe(false);
    expect(config.status).toMatchObject({ reloads: 1, message: 'two', error: expect.stringMatching(/JSON/) });
    writeFileSync(file, '[1, 2]');
    expect(config.load('signal')).toBe(false);
    expect(config.status.error).toBe('the config is not a JSON object');
    expect(config.values).toEqual({ message: 'two' });
  });
});

describe('LogInbox', () => {
  test('takes NDJSON and JSON arrays, keeps the newest, refuses a batch with a bad line whole', () => {
    const inbox = new LogInbox(3);
    expect(inbox.ingest('{"n":1}\n{"n":2}\n')).toBe(2);
    expect(inbox.ingest('[{"n":3},{"n":4}]')).toBe(2);
    expect(inbox.latest()).toEqual([{ n: 2 }, { n: 3 }, { n: 4 }]);
    expect(inbox.latest(1)).toEqual([{ n: 4 }]);
    expect(() => inbox.ingest('{"n":5}\nnot json\n')).toThrow();
    expect(inbox.received).toBe(4);
    expect(inbox.requests).toBe(2);
    expect(inbox.ingest('')).toBe(0);
  });
});

describe('AccessLog', () => {
  test('one JSON line per request, appended', () => {
    const file = join(dir, 'access.log');
    writeFileSync(file, 'older line\n');
    const log = new AccessLog(file);
    const entry = { time: 't', id: 'a', method: 'GET', path: '/x', status: 200, ms: 1, ua: null };
    log.write(entry);
    log.write({ ...entry, id: 'b' });
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('older line');
    expect(lines.slice(1).map((line) => JSON.parse(line).id)).toEqual(['a', 'b']);
    expect(log.lines).toBe(2);
  });
});

describe('Content', () => {
  test('serves the tree behind a link, resolved per request, and names the commit of a git worktree', async () => {
    const repo = join(dir, 'repo');
    mkdirSync(repo);
    git(repo, 'init', '--quiet');
    writeFileSync(join(repo, 'index.html'), '<h1>one</h1>');
    git(repo, 'add', '.');
    git(repo, 'commit', '--quiet', '-m', 'one');
    const first = git(repo, 'rev-parse', 'HEAD');
    git(repo, 'worktree', 'add', '--quiet', '--detach', join(dir, 'tree-1'), first);
    const link = join(dir, 'current');
    const content = new Content(link);

    expect(await content.read('/')).toMatchObject({ status: 503 });
    expect(await content.revision()).toBeNull();

    symlinkSync('tree-1', link);
    const page = await content.read('/');
    expect(page.status).toBe(200);
    if (page.status === 200) {
      expect(page.body.toString()).toBe('<h1>one</h1>');
      expect(page.type).toBe('text/html; charset=utf-8');
    }
    expect(await content.revision()).toBe(first);
    expect(await content.read('/.git')).toMatchObject({ status: 404 });
    expect(await content.read('/../../etc/passwd')).toMatchObject({ status: 404 });
    expect(await content.read('/missing.txt')).toMatchObject({ status: 404 });

    // Committed symlinks: out of the tree (a file, a directory, an index.html) never served; within it, served.
    const secret = join(dir, 'secret.txt');
    writeFileSync(secret, 'outside the tree');
    mkdirSync(join(dir, 'outside-dir'));
    writeFileSync(join(dir, 'outside-dir', 'index.html'), 'outside the tree');
    const tree = join(dir, 'tree-1');
    symlinkSync('/etc/passwd', join(tree, 'passwd'));
    symlinkSync(secret, join(tree, 'secret.txt'));
    symlinkSync('../outside-dir', join(tree, 'docs'));
    mkdirSync(join(tree, 'section'));
    symlinkSync(secret, join(tree, 'section', 'index.html'));
    symlinkSync('index.html', join(tree, 'home.html'));
    for (const path of ['/passwd', '/secret.txt', '/docs/', '/docs/index.html', '/section/']) {
      expect(await content.read(path), path).toMatchObject({ status: 404 });
    }
    const viaLink = await content.read('/home.html');
    expect(viaLink.status === 200 && viaLink.body.toString()).toBe('<h1>one</h1>');

    // A relative gitdir (as repo-updater writes it), read from another working directory.
    const dotGit = join(dir, 'tree-1', '.git');
    const absolute = readFileSync(dotGit, 'utf8')
      .replace(/^gitdir: /, '')
      .trim();
    writeFileSync(dotGit, `gitdir: ${relative(join(dir, 'tree-1'), absolute)}\n`);
    expect(readFileSync(dotGit, 'utf8')).toMatch(/^gitdir: \.\.\//);
    rmSync(link);
    symlinkSync('tree-1', link);
    const renamed = join(dir, 'elsewhere');
    mkdirSync(renamed);
    const cwd = process.cwd();
    process.chdir(renamed);
    try {
      expect(await content.revision()).toBe(first);
    } finally {
      process.chdir(cwd);
    }

    // A plain directory, not a worktree: its name is the best guess.
    mkdirSync(join(dir, 'plain'));
    rmSync(link);
    symlinkSync('plain', link);
    expect(await content.revision()).toBe('plain');
  });
});
