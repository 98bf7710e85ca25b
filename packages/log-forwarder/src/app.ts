import { rename } from 'node:fs/promises';
import {
  type Config,
  type commonOptions,
  OutgoingTls,
  type ProgramContext,
  sendJson,
} from '@toolkit/lifecycle';
import { buildSink } from './build-sinks.ts';
import { Forwarder } from './forwarder.ts';
import { ForwarderMetrics } from './metrics.ts';
import type { options } from './options.ts';
import {
  loadPositions,
  PositionsFileError,
  preparePositionsDir,
  type SavedPositions,
} from './positions/positions-file.ts';
import { deriveSettings } from './settings.ts';

export type ForwarderContext = ProgramContext<Config<typeof options & typeof commonOptions>>;

/** Time kept from the shutdown deadline for the last positions write and for closing the admin server. */
const closingMs = 1000;

/**
 * Reads the positions file. One that cannot be parsed is set aside (kept for a look) and the run starts
 * as a first one: stopping would leave the app's logs unshipped until someone deletes the file.
 */
async function readPositions(path: string, context: ForwarderContext): Promise<SavedPositions | undefined> {
  await preparePositionsDir(path);
  try {
    return await loadPositions(path);
  } catch (error) {
    if (!(error instanceof PositionsFileError) || (error.cause instanceof Error && 'code' in error.cause))
      throw error;
    const aside = `${path}.bad-${Date.now()}`;
    await rename(path, aside);
    context.log.error({ err: error, movedTo: aside }, `${error.message}; set aside, starting as a first run`);
    return undefined;
  }
}

/**
 * Builds the forwarder from the options and runs it until shutdown. Shutdown reads every file to its
 * current end, delivers, and writes the positions, within the shutdown deadline.
 */
export async function runLogForwarder(context: ForwarderContext): Promise<number | undefined> {
  const { config, log } = context;
  // A bad combination of values throws a usage error: lifecycle prints it and exits 2.
  const settings = deriveSettings(config);
  const positions = await readPositions(config.positionsFile, context);
  const tls = await OutgoingTls.open(config, log);
  const metrics = new ForwarderMetrics(context.metrics);
  const defaults = {
    labels: settings.labels,
    gzip: config.gzip,
    timeoutMs: config.requestTimeout,
    lokiLabelOverflow: (label: string) => metrics.lokiLabelOverflow.inc({ label }),
  };
  const forwarder = new Forwarder({
    settings,
    sinks: settings.sinks.map((spec) =>
      buildSink('target' in spec ? { ...spec, target: { ...spec.target, tls } } : spec, defaults),
    ),
    timing: {
      pollMs: config.pollInterval,
      rotateWaitMs: config.rotateWait,
      partialLineMs: config.partialLineTimeout,
      multilineMs: config.multilineTimeout,
      fingerprintBytes: config.fingerprintBytes,
    },
    maxLineBytes: config.maxLineBytes,
    longLines: config.longLines as 'truncate' | 'skip',
    readFrom: config.readFrom as 'end' | 'beginning',
    followLinksOutside: config.followLinksOutside,
    positionsFile: config.positionsFile,
    checkpointIntervalMs: config.checkpointInterval,
    positions,
    bufferMaxBytes: config.bufferMaxBytes,
    batch: {
      maxRecords: config.batchMaxRecords,
      maxBytes: config.batchMaxBytes,
      timeoutMs: config.batchTimeout,
    },
    batchesInFlight: config.batchesInFlight,
    retry: { initialMs: config.retryInitial, maxMs: config.retryMax, limit: config.retryLimit },
    metrics,
    log,
  });
  context.route('GET', '/files', (_req, res) => sendJson(res, 200, forwarder.tracker.describe()));
  const hookMs = Math.max(2 * closingMs, config.shutdownTimeout - config.shutdownDelay - 1.5 * closingMs);
  context.onShutdown(
    'forwarder',
    async () => {
      const undelivered = await forwarder.stop(hookMs - closingMs);
      if (undelivered > 0) {
        log.warn(
          { undelivered },
          'records not acknowledged by the deadline; they are read again after the restart',
        );
      }
    },
    hookMs,
  );
  await forwarder.start();
  log.info(
    { files: forwarder.tracker.watching, sinks: settings.sinks.map((sink) => sink.kind) },
    'following files',
  );
  context.ready();
  return undefined;
}
