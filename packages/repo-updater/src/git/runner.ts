import type { Logger } from '@toolkit/lifecycle';
import { simpleGit } from 'simple-git';
import type { GitEnvironment } from './auth.ts';
import type { Redactor } from './redact.ts';

export interface GitRunOptions {
  /** Working directory: the repository's git dir or a worktree. */
  cwd: string;
  /** Aborts the command: the sync timeout or shutdown. git is sent SIGINT and removes its lock files. */
  signal?: AbortSignal | undefined;
}

/** A git command that failed; the message and the arguments are already redacted. */
export class GitCommandError extends Error {
  override name = 'GitCommandError';
  readonly code: 'GIT_FAILED' | 'GIT_ABORTED';
  readonly args: readonly string[];
  constructor(code: GitCommandError['code'], args: readonly string[], message: string) {
    super(message);
    this.code = code;
    this.args = args;
  }
}

// simple-git (v4) refuses, by default, arguments and environment that can make git run other programs
// or read other config. Here they come from the operator's own flags, never from a request or from the
// repository's content, so the categories this program needs are allowed by name and nothing else.
const allowedUnsafe = {
  allowUnsafeConfigEnvCount: true, // config entries passed as GIT_CONFIG_KEY_n, to keep them out of argv
  allowUnsafeCredentialHelper: true, // the helper that reads --password-file
  allowUnsafeSshCommand: true, // GIT_SSH_COMMAND with --ssh-key-file and --ssh-known-hosts-file
  allowUnsafeProtocolOverride: true, // protocol.file.allow (git/settings: `user`, or `always` if asked)
  allowUnsafeConfigPaths: true, // GIT_CONFIG_GLOBAL: our own file, for safe.directory (git/global-config)
} as const;

/**
 * Runs git through simple-git with one fixed environment. Every command is logged at debug level with
 * its duration, arguments redacted; failures become GitCommandError with git's message, redacted.
 */
export class GitRunner {
  readonly #environment: GitEnvironment;
  readonly #redactor: Redactor;
  readonly #log: Logger;

  constructor(environment: GitEnvironment, redactor: Redactor, log: Logger) {
    this.#environment = environment;
    this.#redactor = redactor;
    this.#log = log;
  }

  get redactor(): Redactor {
    return this.#redactor;
  }

  /** Runs `git <args>` in `cwd` and resolves with its stdout. */
  async run(args: readonly string[], options: GitRunOptions): Promise<string> {
    const shown = this.#redactor.redactAll(args);
    const started = performance.now();
    const git = simpleGit({
      baseDir: options.cwd,
      maxConcurrentProcesses: 1,
      allowEnvironment: this.#environment.gitKeys,
      unsafe: allowedUnsafe,
      ...(options.signal ? { abort: options.signal } : {}),
    }).env(this.#environment.env);
    try {
      const output = await git.raw([...args]);
      this.#log.debug({ git: shown, cwd: options.cwd, ms: elapsed(started) }, 'git');
      return output;
    } catch (error) {
      const aborted = options.signal?.aborted === true;
      const message = this.#redactor.redact(describeFailure(error, aborted, options.signal)).trim();
      this.#log.debug({ git: shown, cwd: options.cwd, ms: elapsed(started), error: message }, 'git failed');
      throw new GitCommandError(aborted ? 'GIT_ABORTED' : 'GIT_FAILED', shown, message);
    }
  }
}

function describeFailure(error: unknown, aborted: boolean, signal: AbortSignal | undefined): string {
  if (aborted) {
    const reason = signal?.reason instanceof Error ? signal.reason.message : 'aborted';
    return `git stopped: ${reason}`;
  }
  return error instanceof Error ? error.message : String(error);
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
