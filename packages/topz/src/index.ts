export {
  type AccessControl,
  type AccessOptions,
  createAccessControl,
  parseUsersFile,
} from './access/access-control.ts';
export { runTopz, type TopzContext } from './app.ts';
export { readCgroupLimits } from './cgroup/limits.ts';
export { CgroupLocator, LimitsCache, locateProcessCgroup, readCgroupMounts } from './cgroup/locator.ts';
export {
  type CgroupLocation,
  type CgroupMount,
  locateCgroup,
  locatePressureDirs,
  parseCgroupMounts,
  parseProcCgroup,
} from './cgroup/paths.ts';
export {
  type CgroupPressure,
  type PressureDirs,
  parsePressure,
  readCgroupPressure,
  type Stall,
} from './cgroup/pressure.ts';
export { definition } from './definition.ts';
export { formatAge, formatBytes, formatCommand, formatCpuTime, formatPressure } from './format.ts';
export {
  createGroupNamer,
  type GroupBy,
  type GroupNamer,
  type GroupRule,
  groupByChoices,
  parseGroupRule,
} from './group/group-namer.ts';
export { type GroupLimit, type GroupSummary, GroupTotals, overflowGroup } from './group/group-totals.ts';
export { createHideFilter, type HideOptions } from './hide.ts';
export { selectForMetrics } from './metrics/select.ts';
export { TopzMetrics } from './metrics/topz-metrics.ts';
export { type OnceOptions, renderOnce, takeOneSnapshot } from './once.ts';
export { options } from './options.ts';
export { classifyError, openProcFile, ReadBuffer, type ReadFailure } from './proc/files.ts';
export {
  decodeArgv,
  decodeCmdline,
  type IoBytes,
  parseIo,
  parseOpenFilesLimit,
  parsePasswd,
  parseSmapsRollup,
  parseStat,
  parseStatus,
  type StatFields,
  type StatusFields,
} from './proc/parse.ts';
export { ProcessHandle, type ProcessReading, type ReadContext } from './proc/process-handle.ts';
export { type ThreadInfo, ThreadReader, type ThreadsAnswer, type ThreadsView } from './proc/threads.ts';
export { redactArguments, redactCommandLine, redactionMarker } from './redact/command-line.ts';
export { isSecretName } from './redact/secret-names.ts';
export { renderSummary, renderTable, type SortKey, sortKeys, type TableOptions } from './render-text.ts';
export { listPids, Sampler, type SamplerOptions } from './sampler.ts';
export { type HistoryPoint, SamplingLoop, type SamplingLoopOptions } from './sampling-loop.ts';
export { createRequestHandler, type Routes } from './server.ts';
export { deriveSettings, type Settings } from './settings.ts';
export {
  allowedSignals,
  BodyTooLargeError,
  isAuthorized,
  maxSignalBodyBytes,
  parseSignalName,
  readRequestedSignal,
  sendSignal,
} from './signal.ts';
export type { CgroupLimits, ProcessInfo, Snapshot, SweepErrors, Totals } from './snapshot.ts';
export { readOpenFilesLimit, readSystemInfo, readUptimeSeconds, type SystemInfo } from './system.ts';
export { readUsers } from './users.ts';
export { orderAsTree, type TreeRow } from './web/client-tree.ts';
export { type Page, renderPage } from './web/page.ts';
