import { existsSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The global git config of the program's own git commands, and how to remove it. */
export interface GlobalGitConfig {
  /** Given to git as GIT_CONFIG_GLOBAL. */
  path: string;
  remove(): Promise<void>;
}

/**
 * Writes the global config file (GIT_CONFIG_GLOBAL) every git command of the program reads. git takes
 * `safe.directory` only from system or global config, never from `-c` or GIT_CONFIG_KEY_n, and a
 * repository or volume owned by another uid is the normal case in a container: so the directories the
 * operator named (the local --repo and --root) are trusted here, and nothing else. The user's own
 * ~/.gitconfig, which this file replaces, is included when there is one.
 */
export function writeGlobalGitConfig(
  safeDirectories: readonly string[],
  home: string | undefined = process.env.HOME,
): GlobalGitConfig {
  // Synchronous: written at start-up, before the admin server's routes are in place.
  const dir = mkdtempSync(join(tmpdir(), 'repo-updater-git-'));
  const path = join(dir, 'gitconfig');
  writeFileSync(path, globalGitConfigText(safeDirectories, home), { mode: 0o600 });
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}

export function globalGitConfigText(safeDirectories: readonly string[], home: string | undefined): string {
  const lines: string[] = [];
  const userConfig = home ? join(home, '.gitconfig') : undefined;
  if (userConfig && existsSync(userConfig)) lines.push('[include]', `\tpath = ${quoteValue(userConfig)}`);
  lines.push('[safe]');
  for (const dir of new Set(safeDirectories.flatMap(spellings))) {
    lines.push(`\tdirectory = ${quoteValue(dir)}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The directories to trust for the repository at `repo` (a path or file:// URL) and the root: each as
 * given and as its real path (git compares the path it found the repository at), and `<dir>/.git`,
 * which git checks for a repository with a work tree.
 */
export function safeDirectoriesFor(repo: string | undefined, root: string): string[] {
  const dirs = [root, join(root, '.git')];
  if (repo !== undefined) {
    const path = repo.startsWith('file://') ? pathOfFileUrl(repo) : repo;
    if (path !== undefined) dirs.push(path, join(path, '.git'));
  }
  return dirs;
}

function pathOfFileUrl(url: string): string | undefined {
  try {
    return fileURLToPath(url);
  } catch {
    return undefined; // file://host/path: not a path on this machine
  }
}

function spellings(dir: string): string[] {
  try {
    const real = realpathSync(dir);
    return real === dir ? [dir] : [dir, real];
  } catch {
    return [dir];
  }
}

/** A config value in double quotes, so spaces, `#`, `;`, `"` and `\` in a path stay what they are. */
function quoteValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
