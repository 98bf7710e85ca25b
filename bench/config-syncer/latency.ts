import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { configMapFiles, swapConfigMap } from './configmap.ts';
import { percentile, SyncerProcess } from './syncer-process.ts';

export interface Summary {
  p50: number;
  p99: number;
  max: number;
}

export interface LatencyResult {
  changes: number;
  /** One file, changed by an editor-style rename into a plain directory. */
  syncer: Summary;
  /** Ten 4 KB JSON files behind a `..data` link swapped as the kubelet does. */
  configMap: Summary;
  cpRename: Summary;
}

const summarize = (sample: number[]): Summary => ({
  p50: percentile(sample, 50),
  p99: percentile(sample, 99),
  max: Math.max(...sample),
});

/**
 * Time from a change at the source to the app's webhook receiving the notification, with no debounce,
 * for two shapes in interleaved rounds (one syncer each, running side by side): a single file replaced
 * by rename, and a ConfigMap-shaped volume of ten files swapped through `..data`. Next to them `cp`
 * plus a rename of the single file.
 */
export async function measureLatency(
  dir: string,
  changes: number,
  perChangeTimeoutMs = 5000,
): Promise<LatencyResult> {
  const fileSource = join(dir, 'latency-src');
  const configMapSource = join(dir, 'latency-configmap');
  mkdirSync(fileSource, { recursive: true });
  writeFileSync(join(fileSource, 'app.json'), '{"change":0}');
  swapConfigMap(configMapSource, configMapFiles(0));

  const arrived = new Map<string, (at: number) => void>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      arrived.get(req.url ?? '')?.(performance.now());
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const start = (source: string, target: string, path: string) =>
    new SyncerProcess([
      ...['--source', source, '--target', join(dir, target), '--debounce', '0s'],
      ...['--notify-url', `http://127.0.0.1:${port}${path}`],
    ]);
  const syncers = [start(fileSource, 'file-target', '/file'), start(configMapSource, 'cm-target', '/cm')];

  /** Makes one change with `change` and resolves with the ms from its visible moment to the webhook. */
  const timeChange = async (path: string, label: string, change: () => number): Promise<number> => {
    const notified = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${label}: no notification`)), perChangeTimeoutMs);
      arrived.set(path, (at) => {
        clearTimeout(timer);
        arrived.delete(path);
        resolve(at);
      });
    });
    const started = change();
    return (await notified) - started;
  };

  const fileSample: number[] = [];
  const configMapSample: number[] = [];
  try {
    await Promise.all(syncers.map((syncer) => syncer.waitReady()));
    // The first publish's notification: wait it out so it is not taken for a change's.
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (let change = 1; change <= changes; change++) {
      fileSample.push(
        await timeChange('/file', `file change ${change}`, () => {
          writeFileSync(join(fileSource, '.app.json.tmp'), `{"change":${change}}`);
          const started = performance.now();
          renameSync(join(fileSource, '.app.json.tmp'), join(fileSource, 'app.json'));
          return started;
        }),
      );
      configMapSample.push(
        await timeChange('/cm', `ConfigMap change ${change}`, () =>
          swapConfigMap(configMapSource, configMapFiles(change)),
        ),
      );
    }
  } finally {
    arrived.clear();
    await Promise.all(syncers.map((syncer) => syncer.stop()));
    server.closeAllConnections();
    server.close();
  }

  const cpSample: number[] = [];
  for (let change = 1; change <= changes; change++) {
    const started = performance.now();
    spawnSync('cp', [join(fileSource, 'app.json'), join(dir, '.cp.tmp')]);
    renameSync(join(dir, '.cp.tmp'), join(dir, 'cp.json'));
    cpSample.push(performance.now() - started);
  }
  return {
    changes,
    syncer: summarize(fileSample),
    configMap: summarize(configMapSample),
    cpRename: summarize(cpSample),
  };
}
