export { runConfigSyncer } from './app.ts';
export { type DebounceOptions, Debouncer } from './debounce.ts';
export { definition } from './definition.ts';
export { createNameFilter, globToRegExp, type NameFilter } from './filter.ts';
export { SyncerMetrics } from './metrics.ts';
export type { ChangeEvent } from './notify/change-event.ts';
export { checkBody, checkRuntimeInfo, ReloadConfirmer } from './notify/confirm-reload.ts';
export { listProcesses, type ProcessInfo, selectByName } from './notify/find-process.ts';
export { SignalTarget } from './notify/signal-target.ts';
export { options } from './options.ts';
export {
  isTempName,
  removeStaleTempFiles,
  writeFileAtomic,
  writeFilesAtomic,
} from './publish/atomic-write.ts';
export { describePlan } from './publish/dry-run.ts';
export { Durability, type FsyncMode, fsyncModes } from './publish/durability.ts';
export { manifestName, readManifest, writeManifest } from './publish/manifest.ts';
export { hasChanges, type Plan, type Published, planChanges } from './publish/plan.ts';
export { publishPlan } from './publish/publish.ts';
export { deriveSettings, parseFileMode, parseFileOwner, parseSourceSpec, type Settings } from './settings.ts';
export { computeRevision, type FileSet, hashContent, mergeFileSets } from './snapshot.ts';
export { fetchIfChanged, HttpStatusError } from './sources/conditional-get.ts';
export { DirectorySource } from './sources/directory-source.ts';
export { readDirectoryFiles } from './sources/read-directory.ts';
export { readSources, type SourceFiles } from './sources/read-sources.ts';
export type { Source, SourceContext } from './sources/source.ts';
export { UrlSource } from './sources/url-source.ts';
export { Syncer, type SyncerOptions, type SyncOutcome } from './syncer.ts';
export { renderTemplate, type TemplateMode, templateModes } from './template.ts';
export { runCheckCommand } from './validation/check-command.ts';
export { validateFile } from './validation/file-type.ts';
export { prepareFiles } from './validation/prepare.ts';
