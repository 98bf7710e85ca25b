import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { percentile, SyncerProcess } from './syncer-process.ts';

export interface LatencyResult {
  changes: number;
  syncer: { p50: number; p99: number; max: number };
  cpRename: { p50: number; p99: number; max: number };
}

const summarize = (sample: number[]) => ({
  p50: percentile(sample, 50),
  p99: percentile(sample, 99),
  max: Math.max(...sample),
});

/**
 * Time from a change at the source (an editor-style rename into the watched directory) to the app's
 * webhook receiving the notification, with no debounce; next to `cp` plus a rename of the same file.
 */
export async function measureLatency(
  dir: string,
  changes: number,
  perChangeTimeoutMs = 5000,
): Promise<LatencyResult> {
  const source = join(dir, 'latency-src');
  const target = join(dir, 'latency-target');
  mkdirSync(source, { recursive: true });
  writeFileSync(join(source, 'app.json'), '{"change":0}');

  let arrived: ((at: number) => void) | undefined;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      arrived?.(performance.now());
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const syncer = new SyncerProcess([
    ...['--source', source, '--target', target, '--debounce', '0s'],
    ...['--notify-url', `http://127.0.0.1:${port}/reload`],
  ]);
  const syncerSample: number[] = [];
  try {
    await syncer.waitReady();
    // The first publish's notification: wait it out so it is not taken for a change's.
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (let change = 1; change <= changes; change++) {
      const notified = new Promise<number>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`change ${change}: no notification`)),
          perChangeTimeoutMs,
        );
        arrived = (at) => {
          clearTimeout(timer);
          resolve(at);
        };
      });
      writeFileSync(join(source, '.app.json.tmp'), `{"change":${change}}`);
      const started = performance.now();
      renameSync(join(source, '.app.json.tmp'), join(source, 'app.json'));
      syncerSample.push((await notified) - started);
    }
  } finally {
    arrived = undefined;
    await syncer.stop();
    server.closeAllConnections();
    server.close();
  }

  const cpSample: number[] = [];
  for (let change = 1; change <= changes; change++) {
    const started = performance.now();
    spawnSync('cp', [join(source, 'app.json'), join(target, '.cp.tmp')]);
    renameSync(join(target, '.cp.tmp'), join(target, 'cp.json'));
    cpSample.push(performance.now() - started);
  }
  return { changes, syncer: summarize(syncerSample), cpRename: summarize(cpSample) };
}
