import { type ProgramDefinition, toolkitVersion } from '@toolkit/lifecycle';
import { runRepoUpdater } from './app.ts';
import { formatGitSyncTable, gitSyncRefusedOptions } from './gitsync-compat.ts';
import { RepoUpdaterMetrics } from './metrics.ts';
import { options } from './options.ts';

/** The program, importable without running it (the docs read its option table). */
export const definition: ProgramDefinition<typeof options> = {
  name: 'repo-updater',
  version: toolkitVersion,
  summary:
    'keeps a git checkout in a shared volume current: each commit is checked out into its own worktree and published behind a symlink swapped in one rename, so readers never see a half-updated tree.',
  usage: 'repo-updater --repo URL|PATH --root DIR [options]',
  options,
  refusedOptions: gitSyncRefusedOptions,
  endpoints: [
    {
      method: 'POST',
      path: '/sync',
      help: 'Sync now (a push webhook): 202 at once, or with ?wait 200 {result, commit} (500 on failure); needs --sync-token.',
    },
  ],
  metrics: (registry) => new RepoUpdaterMetrics(registry, 0),
  main: runRepoUpdater,
};

/** README blocks besides the reference tables, written by `pnpm run docs`: the git-sync migration table. */
export const docBlocks = { 'gitsync:repo-updater': formatGitSyncTable(options) };
