import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Layout } from '../layout.ts';
import { fetchTarget, type RefSpec } from './refs.ts';
import type { GitRunner } from './runner.ts';
import { cleanSpare } from './worktrees.ts';

/** Where the last fetched commit is kept. */
export const fetchedRef = 'refs/repo-updater/fetched';

export interface RemoteSource {
  /** As git takes it: a URL, an scp-like address or an absolute path. */
  url: string;
  ref: RefSpec;
  /** 0 for the whole history. */
  depth: number;
  /**
   * A partial clone's filter (`blob:none`): objects it leaves out are fetched by git when a checkout
   * needs them, from the promisor remote `origin`, whose URL and filter reach git by environment
   * (settings: `partialCloneConfig`), so a URL with credentials is never written under the root.
   */
  filter?: string | undefined;
}

/** The remote name a partial clone fetches from and lazily fetches missing objects from. */
export const promisorRemote = 'origin';

/**
 * The local repository under `<root>/.git`: bare, fetched into by ref (never merged, so a force-push is
 * just another commit), checked for damage and rebuilt in place while the published worktree stays.
 */
export class LocalRepository {
  readonly #git: GitRunner;
  readonly #layout: Layout;
  readonly #source: RemoteSource;
  /** Whether the repository's own config says it is a partial clone (checked once per repository). */
  #partialCloneReady = false;

  constructor(git: GitRunner, layout: Layout, source: RemoteSource) {
    this.#git = git;
    this.#layout = layout;
    this.#source = source;
  }

  get gitDir(): string {
    return this.#layout.gitDir;
  }

  /** Creates the root and an empty bare repository when there is none. True when it was created. */
  async ensureCreated(signal?: AbortSignal): Promise<boolean> {
    if (existsSync(join(this.gitDir, 'HEAD'))) return false;
    await mkdir(this.#layout.worktreesDir, { recursive: true });
    await rm(this.gitDir, { recursive: true, force: true });
    await this.#git.run(['init', '--bare', this.gitDir], { cwd: this.#layout.root, signal });
    this.#partialCloneReady = false;
    return true;
  }

  /** Fetches the ref and resolves with its commit. A commit ref already present is not fetched again. */
  async fetch(signal?: AbortSignal): Promise<{ commit: string; fetched: boolean }> {
    const { ref, depth, url } = this.#source;
    if (ref.kind === 'commit') {
      const present = await this.resolveCommit(ref.sha, signal);
      if (present) return { commit: present, fetched: false };
    }
    // --verbose: it then prints even when nothing changed, and simple-git adds 50 ms to a silent command.
    const args = [
      'fetch',
      '--verbose',
      '--no-tags',
      '--no-recurse-submodules',
      '--no-auto-gc',
      '--no-write-commit-graph',
    ];
    if (depth > 0) args.push('--depth', String(depth));
    else if (existsSync(join(this.gitDir, 'shallow'))) args.push('--unshallow');
    const { filter } = this.#source;
    if (filter) {
      await this.#markPartialClone(signal);
      args.push(`--filter=${filter}`);
    }
    // Into a ref of our own, not only FETCH_HEAD: the next fetch offers it as a commit we have, so the
    // remote sends what changed instead of every file of the new commit again.
    args.push('--', filter ? promisorRemote : url, `+${fetchTarget(ref)}:${fetchedRef}`);
    await this.#git.run(args, { cwd: this.gitDir, signal });
    // Peel: an annotated tag's ref names the tag object, the worktree needs its commit. A branch or
    // the remote's HEAD names a commit: FETCH_HEAD says which it was, and saves a git process.
    const commit = (await this.#fetchedBranch()) ?? (await this.resolveCommit(fetchedRef, signal));
    if (!commit) throw new Error(`fetched ${fetchTarget(ref)} but it names no commit`);
    return { commit, fetched: true };
  }

  /** `extensions.partialClone` is read from the repository's own config only: written there, once. */
  async #markPartialClone(signal?: AbortSignal): Promise<void> {
    if (this.#partialCloneReady) return;
    await this.#git.run(['config', 'core.repositoryformatversion', '1'], { cwd: this.gitDir, signal });
    await this.#git.run(['config', 'extensions.partialClone', promisorRemote], { cwd: this.gitDir, signal });
    this.#partialCloneReady = true;
  }

  /** What the last fetch got, from FETCH_HEAD, when it was the remote's HEAD or a branch; else undefined. */
  async #fetchedBranch(): Promise<string | undefined> {
    const text = await readFile(join(this.gitDir, 'FETCH_HEAD'), 'utf8').catch(() => '');
    const lines = text.split('\n').filter(Boolean);
    const match = lines.length === 1 ? lines[0]!.match(/^([0-9a-f]{40}|[0-9a-f]{64})\t\t(.*)$/) : null;
    if (!match) return undefined;
    const isBranch = this.#source.ref.kind === 'head' || match[2]!.startsWith("branch '");
    return isBranch ? match[1] : undefined;
  }

  /** The full hash of a commit-ish present locally, or undefined. */
  async resolveCommit(name: string, signal?: AbortSignal): Promise<string | undefined> {
    try {
      const out = await this.#git.run(['rev-parse', '--verify', '--quiet', `${name}^{commit}`], {
        cwd: this.gitDir,
        signal,
      });
      return out.trim() || undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Undefined when the repository is usable, else what is wrong. `fsck --connectivity-only` walks the
   * commits and trees the worktrees use without reading every blob: milliseconds on small repositories.
   */
  async findDamage(signal?: AbortSignal): Promise<string | undefined> {
    if (!existsSync(join(this.gitDir, 'HEAD'))) return 'no repository';
    try {
      await this.#git.run(['fsck', '--connectivity-only', '--no-progress', '--no-dangling'], {
        cwd: this.gitDir,
        signal,
      });
      return undefined;
    } catch (error) {
      if (signal?.aborted) throw error;
      return (error as Error).message.split('\n').slice(0, 3).join('; ');
    }
  }

  /**
   * Moves the damaged repository aside, deletes it and starts an empty one. Worktrees keep their files
   * (the published one included, so the link never dangles); their git metadata goes with the old one.
   */
  async rebuild(signal?: AbortSignal): Promise<void> {
    const aside = join(this.#layout.root, `.git-damaged-${Date.now()}`);
    if (existsSync(this.gitDir)) await rename(this.gitDir, aside);
    await rm(aside, { recursive: true, force: true });
    this.#partialCloneReady = false;
    await this.ensureCreated(signal);
  }

  /** Deletes repositories a crash left half-deleted by `rebuild`. */
  async removeLeftovers(): Promise<void> {
    const names = await readdir(this.#layout.root).catch(() => [] as string[]);
    for (const name of names.filter((entry) => entry.startsWith('.git-damaged-'))) {
      await rm(join(this.#layout.root, name), { recursive: true, force: true });
    }
  }

  /** Forgets worktrees whose directories were deleted, then lets git pack and prune when it wants to. */
  async maintain(signal?: AbortSignal): Promise<void> {
    await this.pruneWorktrees(signal);
    await this.#git.run(['gc', '--auto', '--quiet'], { cwd: this.gitDir, signal });
  }

  /**
   * Re-reads the stat data of a worktree's files into its index. After a checkout, files written in
   * the same second as the index are marked "racily clean", and every later `checkout --force` there
   * hashes them again; once they are older, one refresh records them for good. Off the critical path,
   * so that bringing this worktree to another commit later costs a stat per file, not a read.
   */
  async refreshIndex(dir: string, signal?: AbortSignal): Promise<void> {
    await this.#git.run(['update-index', '-q', '--refresh'], { cwd: dir, signal });
  }

  /** Cleans a new spare between syncs, so the sync that reuses it need not (`cleanSpare`). */
  async cleanSpare(dir: string, signal?: AbortSignal): Promise<void> {
    await cleanSpare(this.#git, dir, signal);
  }

  /** Forgets worktrees whose directories were deleted. */
  async pruneWorktrees(signal?: AbortSignal): Promise<void> {
    await this.#git.run(['worktree', 'prune', '--verbose'], { cwd: this.gitDir, signal });
  }
}
