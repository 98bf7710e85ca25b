import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';

/** A fresh directory under the system temp dir; `remove` deletes it. */
export function makeTempDir(prefix = 'repo-updater-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Git for the test's own set-up: a fixed identity, no user or system config, file:// submodules allowed. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'protocol.file.allow=always', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: testGitEnv(),
  }).trim();
}

export function testGitEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: tmpdir(),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.invalid',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.invalid',
  };
}

/**
 * A remote (a bare repository on disk) and a working clone that pushes to it. `url` is what the
 * updater is given. Every commit is pushed at once.
 */
export class RemoteRepo {
  readonly dir: string;
  readonly bare: string;
  readonly work: string;

  constructor(dir: string, name = 'remote') {
    this.dir = dir;
    this.bare = join(dir, `${name}.git`);
    this.work = join(dir, `${name}-work`);
    git(dir, 'init', '-q', '--bare', '-b', 'main', this.bare);
    git(dir, 'init', '-q', '-b', 'main', this.work);
    git(this.work, 'remote', 'add', 'origin', this.bare);
  }

  get url(): string {
    return this.bare;
  }

  /** Writes the files (null deletes), commits on `branch` and pushes; resolves with the commit. */
  commit(files: Record<string, string | null>, message = 'change', branch = 'main'): string {
    const current = git(this.work, 'symbolic-ref', '--short', 'HEAD');
    if (current !== branch) git(this.work, 'checkout', '-q', '-B', branch);
    for (const [path, content] of Object.entries(files)) {
      const full = join(this.work, path);
      if (content === null) rmSync(full, { force: true });
      else {
        mkdirSync(dirname(full), { recursive: true });
        writeFileSync(full, content);
      }
    }
    git(this.work, 'add', '-A');
    git(this.work, 'commit', '-q', '--allow-empty', '-m', message);
    git(this.work, 'push', '-q', '-f', 'origin', branch);
    return this.head();
  }

  head(): string {
    return git(this.work, 'rev-parse', 'HEAD');
  }

  /** Moves `branch` on the remote to `commit`, as a force-push does. */
  forcePush(commit: string, branch = 'main'): void {
    git(this.work, 'push', '-q', '-f', 'origin', `${commit}:refs/heads/${branch}`);
  }

  /**
   * Writes `count` commits straight into the remote with one `git fast-import`, each replacing every
   * file `f0`..`f<files-1>` with `gen-<i>`, on a side ref. Resolves with their hashes, oldest first;
   * `moveBranch` then plays a push of each, without a clone.
   */
  importChain(count: number, files: number): string[] {
    const parts: string[] = [];
    for (let i = 0; i < count; i++) {
      const message = `gen ${i}`;
      parts.push(
        `commit refs/chain/gen\nmark :${i + 1}\ncommitter Test <test@example.invalid> ${1_700_000_000 + i} +0000`,
      );
      parts.push(`data ${message.length}\n${message}`);
      if (i > 0) parts.push(`from :${i}`);
      for (let f = 0; f < files; f++) {
        const content = `gen-${i}`;
        parts.push(`M 100644 inline f${f}\ndata ${content.length}\n${content}`);
      }
      parts.push('');
    }
    const marks = join(this.dir, 'chain-marks');
    execFileSync('git', ['fast-import', '--quiet', `--export-marks=${marks}`], {
      cwd: this.bare,
      input: `${parts.join('\n')}\n`,
      env: testGitEnv(),
    });
    const byMark = new Map(
      readFileSync(marks, 'utf8')
        .trim()
        .split('\n')
        .map((line) => line.slice(1).split(' ') as [string, string]),
    );
    return Array.from({ length: count }, (_, i) => byMark.get(String(i + 1))!);
  }

  /** Points a branch of the remote at a commit it already has: a push, minus the transfer. */
  moveBranch(commit: string, branch = 'main'): void {
    git(this.bare, 'update-ref', `refs/heads/${branch}`, commit);
  }

  tag(name: string, commit: string, annotated = false): void {
    git(this.work, 'tag', '-f', ...(annotated ? ['-a', '-m', name] : []), name, commit);
    git(this.work, 'push', '-q', '-f', 'origin', `refs/tags/${name}`);
  }
}

// The fixture most test files start with: a fresh temporary directory, a remote repository in it and
// the updater's root beside it, made before each test and removed after. Live bindings: a file that
// calls `useRemoteRepo()` reads the current test's values through these imports.
export let temp: ReturnType<typeof makeTempDir>;
export let remote: RemoteRepo;
export let root: string;

export function useRemoteRepo(): void {
  beforeEach(() => {
    temp = makeTempDir();
    remote = new RemoteRepo(temp.path);
    root = join(temp.path, 'root');
  });
  afterEach(() => temp.remove());
}
