import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The files the demo's sidecars work on, in one directory the user can look into and change. */
export interface DemoWorkspace {
  dir: string;
  /** The git remote repo-updater follows: a bare repository. */
  remote: string;
  /** A clone of it to commit and push from. */
  site: string;
  /** config-syncer's source: edit app.json here. */
  configSource: string;
  /** The local demo's app-side directories (the compose demo keeps them in volumes). */
  logs: string;
  config: string;
  repo: string;
  state: string;
}

export const demoSyncToken = 'demo-token';

export function git(cwd: string, args: readonly string[]): string {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr || result.error}`);
  return result.stdout.trim();
}

export function sitePage(version: number, note: string): string {
  return `<!doctype html>\n<title>demo site</title>\n<h1>Version ${version}</h1>\n<p>${note}</p>\n`;
}

/** Where each part of the workspace in `dir` is. */
export function workspacePaths(dir: string): DemoWorkspace {
  return {
    dir,
    remote: join(dir, 'site.git'),
    site: join(dir, 'site'),
    configSource: join(dir, 'config-source'),
    logs: join(dir, 'logs'),
    config: join(dir, 'config'),
    repo: join(dir, 'repo'),
    state: join(dir, 'state'),
  };
}

/** Makes the workspace in `dir` (which must be new or empty): a remote with one commit, a config. */
export function createWorkspace(dir: string): DemoWorkspace {
  const workspace = workspacePaths(dir);
  for (const path of [
    workspace.configSource,
    workspace.logs,
    workspace.config,
    workspace.repo,
    workspace.state,
  ]) {
    mkdirSync(path, { recursive: true });
  }
  // Readable by the containers' user (65532) in the compose demo.
  chmodSync(dir, 0o755);
  git(dir, ['init', '--quiet', '--bare', '--initial-branch=main', workspace.remote]);
  git(dir, ['clone', '--quiet', workspace.remote, workspace.site]);
  git(workspace.site, ['config', 'user.name', 'Demo']);
  git(workspace.site, ['config', 'user.email', 'demo@example.invalid']);
  git(workspace.site, ['checkout', '--quiet', '-B', 'main']);
  writeFileSync(join(workspace.site, 'index.html'), sitePage(1, 'published by repo-updater'));
  writeFileSync(
    join(workspace.site, 'README.md'),
    '# demo site\n\nCommit and push here: repo-updater publishes it.\n',
  );
  git(workspace.site, ['add', '.']);
  git(workspace.site, ['commit', '--quiet', '-m', 'Version 1']);
  git(workspace.site, ['push', '--quiet', 'origin', 'main']);
  writeConfig(workspace, { message: 'hello from config-syncer', color: 'teal' });
  return workspace;
}

/** Writes config-source/app.json the way an editor saves: whole, then renamed over the old one. */
export function writeConfig(workspace: DemoWorkspace, values: Record<string, unknown>): void {
  const file = join(workspace.configSource, 'app.json');
  writeFileSync(`${file}.tmp`, `${JSON.stringify(values, null, 2)}\n`, { mode: 0o644 });
  renameSync(`${file}.tmp`, file);
}

/** Commits a new index.html in the clone and pushes it; answers the new commit. */
export function pushVersion(workspace: DemoWorkspace, version: number): string {
  writeFileSync(join(workspace.site, 'index.html'), sitePage(version, 'pushed by the demo tour'));
  git(workspace.site, ['commit', '--quiet', '-am', `Version ${version}`]);
  git(workspace.site, ['push', '--quiet', 'origin', 'main']);
  return git(workspace.site, ['rev-parse', 'HEAD']);
}
