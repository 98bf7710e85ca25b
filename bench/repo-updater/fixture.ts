import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Git for the bench's own set-up: no user or system config, a fixed identity. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: gitEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

export function gitEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: tmpdir(),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'Bench',
    GIT_AUTHOR_EMAIL: 'bench@example.invalid',
    GIT_COMMITTER_NAME: 'Bench',
    GIT_COMMITTER_EMAIL: 'bench@example.invalid',
  };
}

export interface BenchRepo {
  bare: string;
  /** Commits after the base, oldest first, each changing `changedPerCommit` files. */
  commits: string[];
  /** The remote's branch moves to a commit it already has: the server side of a push. */
  push(commit: string): void;
}

/**
 * A bare repository with a base commit of `files` files (in directories of 100, about 300 bytes each)
 * and `count` later commits, written in one `git fast-import` so set-up takes a second, not minutes.
 */
export function createBenchRepo(
  dir: string,
  files: number,
  count: number,
  changedPerCommit: number,
): BenchRepo {
  const bare = join(dir, 'remote.git');
  git(dir, 'init', '-q', '--bare', '-b', 'main', bare);
  const path = (i: number) => `dir${String(Math.floor(i / 100)).padStart(3, '0')}/file${i % 100}.txt`;
  const content = (i: number, generation: number) =>
    `${`file ${i}, generation ${generation}\n`.repeat(10)}${'lorem ipsum dolor sit amet '.repeat(2)}\n`;
  const parts: string[] = [];
  const commit = (mark: number, message: string, changes: string[]) => {
    parts.push(
      `commit refs/heads/bench\nmark :${mark}\ncommitter Bench <bench@example.invalid> ${1_700_000_000 + mark} +0000`,
    );
    parts.push(`data ${message.length}\n${message}`);
    if (mark > 1) parts.push(`from :${mark - 1}`);
    parts.push(...changes, '');
  };
  const modify = (i: number, generation: number) => {
    const text = content(i, generation);
    return `M 100644 inline ${path(i)}\ndata ${Buffer.byteLength(text)}\n${text}`;
  };
  commit(
    1,
    'base',
    Array.from({ length: files }, (_, i) => modify(i, 0)),
  );
  for (let c = 1; c <= count; c++) {
    const changes = Array.from({ length: changedPerCommit }, (_, k) =>
      modify((c * 7919 + k * 104_729) % files, c),
    );
    commit(c + 1, `change ${c}`, changes);
  }
  const marks = join(dir, 'marks');
  execFileSync('git', ['fast-import', '--quiet', `--export-marks=${marks}`], {
    cwd: bare,
    input: `${parts.join('\n')}\n`,
    env: gitEnv(),
    maxBuffer: 64 * 1024 * 1024,
  });
  const byMark = new Map(
    readFileSync(marks, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.slice(1).split(' ') as [string, string]),
  );
  git(bare, 'update-ref', 'refs/heads/main', byMark.get('1')!);
  return {
    bare,
    commits: Array.from({ length: count }, (_, c) => byMark.get(String(c + 2))!),
    push: (sha) => git(bare, 'update-ref', 'refs/heads/main', sha),
  };
}
