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

/** One syncer and the source it watches, changed once per round. */
export interface Shape {
  label: string;
  /**
   * file: one file replaced by an editor-style rename in a plain directory. configmap: ten 4 KB JSON
   * files behind a `..data` link swapped as the kubelet does.
   */
  source: 'file' | 'configmap';
  /** Options added to `--source --target --debounce 0s --notify-url`. */
  args?: string[];
  /** The directory the target goes in (a tmpfs one, say); default: the bench directory. */
  targetIn?: string;
  /** Another build of the program (a baseline); default: this tree's bundle. */
  program?: string;
  env?: Record<string, string>;
}

export interface LatencyResult {
  changes: number;
  shapes: { label: string; summary: Summary }[];
  cpRename: Summary;
}

function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

const summarize = (sample: number[]): Summary => ({
  p50: percentile(sample, 50),
  p99: percentile(sample, 99),
  max: Math.max(...sample),
});

/**
 * Time from a change at the source to the app's webhook receiving the notification, with no debounce,
 * for each shape in interleaved rounds (one syncer each, running side by side, each round changing
 * every shape's source once, one after the other, in a random order). Next to them `cp` plus a rename
 * of the single file.
 */
export async function measureLatency(
  dir: string,
  changes: number,
  shapes: readonly Shape[],
  perChangeTimeoutMs = 5000,
): Promise<LatencyResult> {
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

  const runs = shapes.map((shape, i) => {
    const source = join(dir, `latency-src-${i}`);
    if (shape.source === 'file') {
      mkdirSync(source, { recursive: true });
      writeFileSync(join(source, 'app.json'), '{"change":0}');
    } else {
      swapConfigMap(source, configMapFiles(0));
    }
    const path = `/shape-${i}`;
    const args = [
      ...['--source', source, '--target', join(shape.targetIn ?? dir, `latency-target-${i}`)],
      ...['--debounce', '0s', '--notify-url', `http://127.0.0.1:${port}${path}`],
      ...(shape.args ?? []),
    ];
    const change = (n: number): number => {
      if (shape.source === 'configmap') return swapConfigMap(source, configMapFiles(n));
      writeFileSync(join(source, '.app.json.tmp'), `{"change":${n}}`);
      const started = performance.now();
      renameSync(join(source, '.app.json.tmp'), join(source, 'app.json'));
      return started;
    };
    const syncer = new SyncerProcess(args, shape.program, shape.env);
    return { shape, source, path, change, syncer, sample: [] as number[] };
  });

  /** Makes one change and resolves with the ms from its visible moment to the webhook. */
  const timeChange = async (run: (typeof runs)[number], n: number): Promise<number> => {
    const notified = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${run.shape.label}: no notification for change ${n}`)),
        perChangeTimeoutMs,
      );
      arrived.set(run.path, (at) => {
        clearTimeout(timer);
        arrived.delete(run.path);
        resolve(at);
      });
    });
    const started = run.change(n);
    return (await notified) - started;
  };

  try {
    await Promise.all(runs.map((run) => run.syncer.waitReady()));
    // The first publish's notification: wait it out so it is not taken for a change's.
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (let change = 1; change <= changes; change++) {
      // A fresh order each round: a shape that always came right after the same one would pay for
      // that one's leftover work (an A/A run with a fixed rotation put 2.6 ms between two equal builds).
      for (const run of shuffled(runs)) run.sample.push(await timeChange(run, change));
    }
  } finally {
    arrived.clear();
    await Promise.all(runs.map((run) => run.syncer.stop()));
    server.closeAllConnections();
    server.close();
  }

  const cpSource = join(dir, 'cp-src.json');
  writeFileSync(cpSource, '{"change":0}');
  const cpSample: number[] = [];
  for (let change = 1; change <= changes; change++) {
    const started = performance.now();
    spawnSync('cp', [cpSource, join(dir, '.cp.tmp')]);
    renameSync(join(dir, '.cp.tmp'), join(dir, 'cp.json'));
    cpSample.push(performance.now() - started);
  }
  return {
    changes,
    shapes: runs.map((run) => ({ label: run.shape.label, summary: summarize(run.sample) })),
    cpRename: summarize(cpSample),
  };
}
