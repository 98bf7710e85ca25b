export { runRepoUpdater } from './app.ts';
export { buildGitRunner, buildNotifiers, buildValidator, KnownSecrets } from './build-parts.ts';
export { definition } from './definition.ts';
export {
  buildGitEnvironment,
  buildSshCommand,
  type GitAuth,
  type GitEnvironment,
  quoteForShell,
} from './git/auth.ts';
export {
  type GlobalGitConfig,
  globalGitConfigText,
  safeDirectoriesFor,
  writeGlobalGitConfig,
} from './git/global-config.ts';
export { removeStaleLocks } from './git/locks.ts';
export { Redactor, redactUrlCredentials } from './git/redact.ts';
export { describeRef, fetchTarget, parseRef, type RefSpec } from './git/refs.ts';
export { LocalRepository, type RemoteSource } from './git/repository.ts';
export { GitCommandError, GitRunner, type GitRunOptions } from './git/runner.ts';
export {
  type CheckoutOptions,
  checkOutWorktree,
  findReuseProblem,
  isCompleteCheckout,
  makeGitFileRelative,
  moveWorktree,
  readWorktreeAdmin,
  removeWorktreeFiles,
  type SubmoduleMode,
  submoduleModes,
  updateWorktree,
} from './git/worktrees.ts';
export { CommandFailedError, inheritedEnvironment, runHook } from './hooks/run-hook.ts';
export { checkLinkPlacement, createLayout, type Layout, worktreePath } from './layout.ts';
export { RepoUpdaterMetrics } from './metrics.ts';
export type { PublishEvent } from './notify/publish-event.ts';
export { options } from './options.ts';
export { removeExpiredWorktrees, takeOverRoot } from './publish/cleanup.ts';
export { type PublishedTree, readPublishedTree, removeLeftoverLinks, swapLink } from './publish/link.ts';
export { RetiredWorktrees } from './publish/retired.ts';
export { deriveSettings, fileProtocolConfig, type RepoUpdaterConfig, type Settings } from './settings.ts';
export { type LoopHooks, type LoopSettings, type LoopState, SyncLoop } from './sync/loop.ts';
export { OutcomeReporter } from './sync/report.ts';
export { SyncError, type SyncErrorCode, type SyncStep, toSyncError } from './sync/sync-error.ts';
export { Syncer, type SyncerParts, type SyncOutcome, type SyncResult } from './sync/syncer.ts';
export { createSyncHandler, maxBodyBytes } from './webhook/sync-route.ts';
export { type Verdict, verifySyncRequest, verifyWithoutBody } from './webhook/verify.ts';
