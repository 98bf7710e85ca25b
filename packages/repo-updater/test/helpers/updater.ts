import { Writable } from 'node:stream';
import { type Logger, pino } from 'pino';
import { buildGitEnvironment, type GitAuth } from '../../src/git/auth.ts';
import { Redactor } from '../../src/git/redact.ts';
import { parseRef } from '../../src/git/refs.ts';
import { LocalRepository } from '../../src/git/repository.ts';
import { GitRunner } from '../../src/git/runner.ts';
import type { SubmoduleMode } from '../../src/git/worktrees.ts';
import { createLayout, type Layout } from '../../src/layout.ts';
import { removeExpiredWorktrees, takeOverRoot } from '../../src/publish/cleanup.ts';
import { RetiredWorktrees } from '../../src/publish/retired.ts';
import { fileProtocolConfig } from '../../src/settings.ts';
import { Syncer, type SyncerParts, type SyncOutcome } from '../../src/sync/syncer.ts';
import { testGitEnv } from './git-fixture.ts';

/** JSON log lines kept in memory, to look for a message or for a secret that must not be there. */
export class LogCapture {
  readonly lines: Record<string, unknown>[] = [];
  readonly logger: Logger;

  constructor(level = 'debug') {
    const lines = this.lines;
    const stream = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    this.logger = pino({ level }, stream);
  }

  get text(): string {
    return this.lines.map((line) => JSON.stringify(line)).join('\n');
  }

  messages(): string[] {
    return this.lines.map((line) => String(line.msg));
  }
}

export interface TestUpdaterOptions {
  repo: string;
  ref?: string;
  depth?: number;
  submodules?: SubmoduleMode;
  sparsePaths?: string[];
  graceMs?: number;
  /** Keep a spare worktree past its grace period and check new commits out into it (default true, as the program). */
  reuseWorktrees?: boolean;
  /** The clock of the grace period, so a test can move time on. */
  now?: () => number;
  auth?: GitAuth;
  secrets?: () => readonly string[];
  validate?: SyncerParts['validate'];
  gitConfig?: [string, string][];
  /** --allow-local-submodules: the fixtures' submodules have file:// URLs. */
  allowLocalSubmodules?: boolean;
}

export interface TestUpdater {
  layout: Layout;
  repository: LocalRepository;
  retired: RetiredWorktrees;
  git: GitRunner;
  logs: LogCapture;
  syncer: Syncer;
  /** One sync with a 30 s limit, or with the given signal. */
  sync(signal?: AbortSignal): Promise<SyncOutcome>;
  /** What the program does at start-up over a root an earlier run left. */
  takeOver(): Promise<void>;
  /** What the program does between syncs: deletes worktrees past their grace period (but the spare). */
  cleanUp(): Promise<void>;
}

/** The updater's parts, wired as app.ts does, in this process: fast enough to run a sync per test step. */
export function createTestUpdater(root: string, options: TestUpdaterOptions): TestUpdater {
  const logs = new LogCapture();
  const layout = createLayout(root, 'current');
  const ref = parseRef(options.ref ?? 'HEAD');
  if (!ref) throw new Error(`bad ref ${options.ref}`);
  const config: [string, string][] = [
    fileProtocolConfig(options.allowLocalSubmodules ?? false),
    ...(options.gitConfig ?? []),
  ];
  const environment = buildGitEnvironment(options.auth ?? {}, config, layout.root, testGitEnv());
  const git = new GitRunner(environment, new Redactor(options.secrets), logs.logger);
  const depth = options.depth ?? 1;
  const repository = new LocalRepository(git, layout, { url: options.repo, ref, depth });
  const retired = new RetiredWorktrees(
    options.graceMs ?? 60_000,
    options.now,
    options.reuseWorktrees ?? true,
  );
  const syncer = new Syncer({
    git,
    repository,
    layout,
    checkout: {
      sparsePaths: options.sparsePaths ?? [],
      submodules: options.submodules ?? 'recursive',
      depth,
    },
    retired,
    validate: options.validate,
    log: logs.logger,
  });
  return {
    layout,
    repository,
    retired,
    git,
    logs,
    syncer,
    sync: (signal) => syncer.sync(signal ?? AbortSignal.timeout(30_000)),
    takeOver: () => takeOverRoot(layout, retired),
    cleanUp: () =>
      removeExpiredWorktrees(retired, repository, layout.linkPath, logs.logger, AbortSignal.timeout(30_000)),
  };
}
