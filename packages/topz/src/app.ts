import { createServer } from 'node:http';
import {
  type Config,
  closeServer,
  type commonOptions,
  listen,
  type ProgramContext,
  parseListenAddress,
} from '@toolkit/lifecycle';
import { overflowGroup } from './group/group-totals.ts';
import { createHideFilter } from './hide.ts';
import { TopzMetrics } from './metrics/topz-metrics.ts';
import { renderOnce, takeOneSnapshot } from './once.ts';
import type { options } from './options.ts';
import { Sampler } from './sampler.ts';
import { SamplingLoop } from './sampling-loop.ts';
import { createRequestHandler } from './server.ts';
import { deriveSettings } from './settings.ts';
import { readUsers } from './users.ts';

export type TopzContext = ProgramContext<Config<typeof options & typeof commonOptions>>;

/**
 * Builds the parts and runs them: one snapshot to stdout (`--once`, exit code returned) or the server.
 * Shutdown steps run last-registered first: close the server, stop sampling, close the /proc files.
 */
export async function runTopz(context: TopzContext): Promise<number | undefined> {
  const { config, log } = context;
  // A bad combination of values throws a usage error: lifecycle prints it and exits 2.
  const settings = deriveSettings(config);
  for (const warning of settings.ignored) log.warn(warning);
  const sampler = new Sampler({
    procRoot: config.procRoot,
    users: readUsers(),
    showFullCommandLines: config.showFullCommandLines,
    detailIntervalMs: config.pssInterval,
    hide: createHideFilter({ hideSelf: config.hideSelf, hidePause: config.hidePause, selfPid: process.pid }),
  });
  context.onShutdown('/proc files', () => sampler.close());

  if (config.once) {
    const snapshot = await takeOneSnapshot(sampler, settings.intervalMs);
    const width = process.stdout.isTTY ? process.stdout.columns : undefined;
    const output = renderOnce(snapshot, { format: config.format as 'text' | 'json', width });
    await new Promise((resolve) => process.stdout.write(output, resolve));
    return 0;
  }

  const metrics = new TopzMetrics(
    context.metrics,
    config.metricsMaxProcesses,
    settings.grouping && { ...settings.grouping, clockTicks: sampler.system.clockTicks },
  );
  let foldingLogged = false;
  const loop = new SamplingLoop(sampler, {
    intervalMs: settings.intervalMs,
    onSnapshot: (snapshot) => {
      metrics.record(snapshot);
      if (foldingLogged || metrics.foldedProcesses === 0) return;
      foldingLogged = true;
      log.warn(
        { maxGroups: config.metricsMaxGroups, group: overflowGroup },
        'more groups than --metrics-max-groups: further processes count in the overflow group (topz_group_folded_processes_total)',
      );
    },
    onError: (error) => {
      metrics.countSnapshotError();
      log.error({ err: error }, 'cannot read /proc: serving the last snapshot');
    },
  });
  // Throws now if --proc-root cannot be read at all: start-up fails with exit 1.
  const firstSnapshot = loop.start();
  context.onShutdown('sampling', () => loop.stop());

  const server = createServer(
    createRequestHandler({
      snapshots: loop,
      handleAdmin: context.handleAdmin,
      signalToken: settings.signalToken,
      access: settings.access,
      procRoot: config.procRoot,
      log,
    }),
  );
  const bound = await listen(server, parseListenAddress(config.addr)!);
  log.info(
    {
      address: `${bound.address}:${bound.port}`,
      intervalMs: settings.intervalMs,
      signals: config.allowSignals,
      access: settings.access ? 'credentials required' : 'open',
    },
    'listening',
  );
  context.onShutdown('http server', () => closeServer(server, 2000));
  void firstSnapshot.then((snapshot) => {
    log.info({ processes: snapshot.totals.processes, ms: snapshot.durationMs }, 'first snapshot');
    context.ready();
  });
  return undefined;
}
