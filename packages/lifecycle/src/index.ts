export type { Dispatcher } from 'undici';
export { closeServer, type ListenAddress, listen, parseListenAddress } from './address.ts';
export { AdminRoutes, type RouteHandler, sendJson, sendText } from './admin.ts';
export { type BackoffPolicy, computeBackoff, longestTimer, sleep } from './backoff.ts';
export { describeError } from './describe-error.ts';
export {
  type CodeOf,
  type ErrorCatalogue,
  type ErrorCode,
  formatErrorTable,
  lifecycleErrorCodes,
} from './error-catalogue.ts';
export { UsageError, type UsageErrorCode } from './errors.ts';
export { Health } from './health.ts';
export {
  createLogger,
  type LogDestination,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  logLevels,
} from './logger.ts';
export { createMetricsRegistry, type MetricMaker, metricPrefix, metricsOn } from './metrics.ts';
export { type NotificationRequest, sendNotification } from './notification.ts';
export { CommandTarget, type CommandTargetOptions } from './notify/command-target.ts';
export {
  NotificationDispatcher,
  type NotificationPolicy,
  type NotificationReporting,
  type NotificationResult,
} from './notify/dispatcher.ts';
export { HttpTarget, type HttpTargetOptions } from './notify/http-target.ts';
export type { NotificationTarget } from './notify/target.ts';
export { TouchTarget, type TouchTargetOptions } from './notify/touch-target.ts';
export {
  badOption,
  type Config,
  describeOptions,
  envName,
  envPrefix,
  flagName,
  formatDuration,
  formatHelp,
  type OptionDoc,
  type OptionSpec,
  type OptionTable,
  parseDuration,
  parseOptions,
  type RefusedOption,
} from './options.ts';
export {
  OutgoingTls,
  type OutgoingTlsSettings,
  outgoingTlsOptions,
  type TlsConnectOptions,
} from './outgoing-tls.ts';
export { runProgram } from './program.ts';
export {
  commonOptions,
  type ProgramContext,
  type ProgramDefinition,
  programOptions,
} from './program-definition.ts';
export {
  describeMetrics,
  type EndpointDoc,
  formatReferenceHelp,
  type MetricDoc,
} from './reference.ts';
export { closeAfterAnswer, type RequestBody, readRequestBody } from './request-body.ts';
export {
  lastOutputLine,
  runShellCommand,
  type ShellCommandOptions,
  type ShellCommandResult,
} from './shell-command.ts';
export { ShutdownHooks, type ShutdownPlan } from './shutdown.ts';
export { parseStatusMatcher, type StatusMatcher } from './status-matcher.ts';
export { readLinkTarget, removeLeftoverLinks, swapLink } from './symlink-swap.ts';
export { splitUrlCredentials, type UrlWithoutCredentials } from './url-credentials.ts';
export { toolkitVersion } from './version.ts';
