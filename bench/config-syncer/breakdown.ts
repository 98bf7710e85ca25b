import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  createNameFilter,
  DirectorySource,
  Durability,
  type FileSet,
  type Published,
  planChanges,
  prepareFiles,
  publishPlan,
  type SourceContext,
  writeFileAtomic,
  writeFilesAtomic,
} from '../../packages/config-syncer/src/index.ts';
import { configMapFiles, swapConfigMap } from './configmap.ts';
import { percentile } from './syncer-process.ts';

export type Phase = 'event' | 'read' | 'prepare' | 'plan' | 'publish';
export interface Breakdown {
  swaps: number;
  /** ms per phase of one ConfigMap change, p50 and p99. */
  phases: Record<Phase, { p50: number; p99: number }>;
  /** The ten files written one after the other, as one set (fsyncs together), and with no fsync. */
  writes: Record<string, { p50: number; p99: number }>;
}

const summarize = (sample: number[]) => ({ p50: percentile(sample, 50), p99: percentile(sample, 99) });

/**
 * Where the time of a ConfigMap change goes, in this process with the syncer's own modules: from the
 * `..data` swap to the watcher's first event, then reading the new version, preparing (validation),
 * planning (hashing) and publishing (temp files, fsyncs, renames, the directory fsync).
 */
export async function measureBreakdown(dir: string, swaps: number): Promise<Breakdown> {
  const source = join(dir, 'breakdown-configmap');
  const target = join(dir, 'breakdown-target');
  swapConfigMap(source, configMapFiles(0));
  const accept = createNameFilter([], ['.*']);
  const directory = new DirectorySource(source, {
    accept,
    acceptDirectory: undefined,
    polling: false,
    maxFileBytes: 1 << 24,
  });
  let changed: (() => void) | undefined;
  const quiet = () => {};
  const log = { info: quiet, warn: quiet, error: quiet, debug: quiet } as unknown as SourceContext['log'];
  const metrics = { watchEvents: { inc: quiet }, watchErrors: { inc: quiet }, linksSkipped: { set: quiet } };
  const context = { log, metrics: metrics as unknown as SourceContext['metrics'] };
  await directory.start({ ...context, onChange: () => changed?.(), signal: new AbortController().signal });
  const fsync = new Durability(true, 'bench');
  const samples: Record<Phase, number[]> = { event: [], read: [], prepare: [], plan: [], publish: [] };
  const prepareOptions = { template: 'off' as const, env: {}, validateTypes: true, validated: new Map() };
  let published: Published = new Map();
  try {
    for (let swap = 1; swap <= swaps; swap++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const event = new Promise<number>((resolve) => {
        changed = () => resolve(performance.now());
      });
      const swappedAt = swapConfigMap(source, configMapFiles(swap));
      samples.event.push((await event) - swappedAt);
      changed = undefined;
      let started = performance.now();
      const files = await directory.read(context);
      samples.read.push(performance.now() - started);
      started = performance.now();
      const prepared = prepareFiles([{ source, files }], prepareOptions);
      samples.prepare.push(performance.now() - started);
      if (!prepared.ok) throw new Error(`swap ${swap}: ${prepared.problems.join('; ')}`);
      started = performance.now();
      const plan = planChanges(prepared.files, published, {
        dir: target,
        mode: 0o644,
        owner: undefined,
        verify: false,
      });
      samples.plan.push(performance.now() - started);
      started = performance.now();
      published = await publishPlan(target, plan, published, 0o644, undefined, fsync);
      samples.publish.push(performance.now() - started);
    }
  } finally {
    await directory.close();
  }

  const writesDir = join(dir, 'breakdown-writes');
  mkdirSync(writesDir, { recursive: true });
  const noFsync = new Durability(false, 'bench');
  const writes: Record<string, number[]> = {
    'fsync, one file after another': [],
    'fsync, as one set (the program)': [],
    'no fsync (--fsync never)': [],
  };
  const asList = (files: FileSet) => [...files].map(([name, content]) => ({ name, content }));
  for (let round = 0; round < swaps; round++) {
    const files = asList(new Map(Object.entries(configMapFiles(round)).map(([n, c]) => [n, Buffer.from(c)])));
    const timed = async (label: string, write: () => Promise<void>) => {
      const started = performance.now();
      await write();
      writes[label]!.push(performance.now() - started);
    };
    await timed('fsync, one file after another', async () => {
      for (const file of files)
        await writeFileAtomic(writesDir, file.name, file.content, 0o644, undefined, fsync);
      await fsync.syncDirectory(writesDir);
    });
    await timed('fsync, as one set (the program)', async () => {
      await writeFilesAtomic(writesDir, files, 0o644, undefined, fsync);
      await fsync.syncDirectory(writesDir);
    });
    await timed('no fsync (--fsync never)', () =>
      writeFilesAtomic(writesDir, files, 0o644, undefined, noFsync),
    );
  }
  const phases = Object.fromEntries(
    Object.entries(samples).map(([phase, sample]) => [phase, summarize(sample)]),
  ) as Breakdown['phases'];
  const summaries = Object.fromEntries(
    Object.entries(writes).map(([label, sample]) => [label, summarize(sample)]),
  );
  return { swaps, phases, writes: summaries };
}
