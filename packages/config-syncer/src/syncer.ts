import { dirname, join } from 'node:path';
import { describeError, type Logger } from '@toolkit/lifecycle';
import type { SyncerMetrics } from './metrics.ts';
import type { ChangeEvent } from './notify/change-event.ts';
import { removeStaleTempFiles, tempPathIn } from './publish/atomic-write.ts';
import { describePlan } from './publish/dry-run.ts';
import { Durability, type FsyncMode } from './publish/durability.ts';
import { checkCanChown, type FileOwner, makeDirectories } from './publish/file-owner.ts';
import { LinkLayout, linkGraceMs, type PublishLayout } from './publish/link-layout.ts';
import { readManifest } from './publish/manifest.ts';
import { hasChanges, type Published, planChanges } from './publish/plan.ts';
import { publishPlan } from './publish/publish.ts';
import { parentsAreDirectories } from './publish/target-tree.ts';
import { computeRevision, hashContent } from './snapshot.ts';
import { readSources } from './sources/read-sources.ts';
import type { Source } from './sources/source.ts';
import type { TemplateMode } from './template.ts';
import { type CheckCommand, runCheckCommand } from './validation/check-command.ts';
import { prepareFiles } from './validation/prepare.ts';

export interface SyncerOptions {
  sources: readonly Source[];
  targetDir: string;
  layout: PublishLayout;
  mode: number;
  /** `--file-owner`: owner of every file and directory created in the target. */
  owner: FileOwner | undefined;
  /** `--fsync`: `auto` is decided here, from the target's filesystem. */
  fsync: FsyncMode;
  template: TemplateMode;
  env: NodeJS.ProcessEnv;
  validateTypes: boolean;
  check: CheckCommand | undefined;
  /** Print the plan instead of publishing. */
  dryRun: boolean;
  print: (line: string) => void;
  log: Logger;
  metrics: SyncerMetrics;
  signal: AbortSignal;
}

export type SyncOutcome =
  /** `writtenHashes`: sha256 of each file written, for --confirm-url. */
  | { result: 'changed'; event: ChangeEvent; writtenHashes: string[] }
  | { result: 'unchanged' }
  /** A source has not answered yet (a URL before its first fetch): neither success nor failure. */
  | { result: 'pending' }
  | { result: 'failed' };

/** One pass from the sources to the target: read, prepare, validate, plan, check, publish. */
export class Syncer {
  readonly #options: SyncerOptions;
  readonly #validated = new Map<string, string>();
  #syncs = 0;
  #published: Published;
  readonly #link: LinkLayout | undefined;
  readonly #durability: Durability;

  private constructor(
    options: SyncerOptions,
    published: Published,
    link: LinkLayout | undefined,
    durability: Durability,
  ) {
    this.#options = options;
    this.#published = published;
    this.#link = link;
    this.#durability = durability;
  }

  /**
   * Prepares the target directory: creates it, checks files can be given --file-owner, clears temp
   * files a killed run left, reads the manifest.
   */
  static async open(options: SyncerOptions): Promise<Syncer> {
    const { targetDir, log, owner } = options;
    const link = options.layout === 'link' ? new LinkLayout(targetDir, linkGraceMs, owner) : undefined;
    if (link && !options.dryRun) {
      const stale = await link.open();
      if (stale.length > 0) log.info({ files: stale }, 'removed set directories left by an earlier run');
    } else if (!options.dryRun) {
      await makeDirectories(targetDir, owner);
      if (owner) await checkCanChown(tempPathIn(targetDir), owner);
    }
    const { names, problem } = await readManifest(targetDir);
    if (!link && !options.dryRun) {
      // Temp files sit beside the files they replace: in the target and its published subdirectories.
      const dirs = new Set(['.', ...[...names].map((name) => dirname(name))]);
      const stale: string[] = [];
      for (const dir of dirs) {
        if (dir !== '.' && !parentsAreDirectories(targetDir, `${dir}/x`)) continue;
        const removed = await removeStaleTempFiles(join(targetDir, dir)).catch(() => []);
        stale.push(...removed.map((name) => (dir === '.' ? name : `${dir}/${name}`)));
      }
      if (stale.length > 0) log.info({ files: stale }, 'removed temp files left by an interrupted run');
    }
    if (problem) log.warn({ problem }, 'manifest ignored: no file will be removed until it is rewritten');
    options.metrics.managedFiles.set(names.size);
    const durability = options.dryRun
      ? new Durability(false, '--dry-run writes nothing')
      : await Durability.forTarget(options.fsync, link ? link.setsDir : targetDir, (count) =>
          options.metrics.fsyncs.inc(count),
        );
    log.info({ fsync: durability.enabled, reason: durability.reason }, 'durability of published files');
    // Hashes are not kept across runs: the first sync compares with the files on disk.
    return new Syncer(options, new Map([...names].map((name) => [name, ''])), link, durability);
  }

  /** Never throws: failures are logged and counted, and the last good config stays in place. */
  async sync(verify: boolean): Promise<SyncOutcome> {
    const { metrics } = this.#options;
    const endTimer = metrics.syncDuration.startTimer();
    const outcome = await this.#syncOnce(verify).catch((error: unknown): SyncOutcome => {
      this.#options.log.error(
        { err: describeError(error) },
        'publish failed; will retry on the next change or resync',
      );
      return { result: 'failed' };
    });
    if (outcome.result === 'pending') return outcome;
    endTimer();
    metrics.syncs.inc({ result: outcome.result });
    metrics.lastSyncSuccessful.set(outcome.result === 'failed' ? 0 : 1);
    if (outcome.result !== 'failed') metrics.lastSyncSuccess.setToCurrentTime();
    return outcome;
  }

  async #syncOnce(verify: boolean): Promise<SyncOutcome> {
    const { log, metrics, targetDir, mode, owner } = this.#options;
    this.#syncs += 1;
    const parts = await readSources(this.#options.sources, log, metrics);
    if (typeof parts === 'string') return { result: parts };
    const prepared = prepareFiles(parts, { ...this.#options, validated: this.#validated });
    if (!prepared.ok) return this.#reject(prepared.reason, prepared.problems);

    const plan = planChanges(prepared.files, this.#published, { dir: targetDir, mode, owner, verify });
    if (!hasChanges(plan)) {
      // Keep the hashes learnt from the disk (unknown at start, or right under an old one after a
      // killed run). A dry run says "no change" once, not at every resync.
      if (!this.#options.dryRun) this.#published = plan.published;
      else if (this.#syncs === 1) this.#options.print(describePlan(plan, this.#published)[0]!);
      return { result: 'unchanged' };
    }
    if (this.#options.check) {
      const checked = await runCheckCommand(this.#options.check, prepared.files, this.#options.signal);
      if (!checked.ok && this.#options.signal.aborted) {
        log.info('shutting down: publish cancelled during the check command');
        return { result: 'failed' };
      }
      if (!checked.ok)
        return this.#reject('check', [`check command failed: ${checked.reason}`], checked.output);
    }
    // In a link layout the whole set is published, whoever wrote an identical file before.
    const hashes = this.#link
      ? new Map([...prepared.files].map(([name, content]) => [name, hashContent(content)]))
      : plan.published;
    const event: ChangeEvent = {
      revision: computeRevision(hashes),
      changed: plan.writes.map((write) => write.name),
      removed: plan.removals,
      targetDir,
    };
    if (this.#options.dryRun) {
      for (const line of describePlan(plan, this.#published)) this.#options.print(line);
      return { result: 'changed', event, writtenHashes: [] };
    }
    log.debug({ revision: event.revision, files: event.changed.length }, 'publishing');
    this.#published = this.#link
      ? await this.#link.publish(prepared.files, mode, event.revision, this.#durability)
      : await publishPlan(targetDir, plan, this.#published, mode, owner, this.#durability);
    metrics.publishes.inc();
    metrics.filesWritten.inc(plan.writes.length);
    metrics.filesRemoved.inc(plan.removals.length);
    metrics.managedFiles.set(this.#published.size);
    metrics.lastPublish.setToCurrentTime();
    log.info({ revision: event.revision, changed: event.changed, removed: event.removed }, 'published');
    return { result: 'changed', event, writtenHashes: plan.writes.map((write) => write.hash) };
  }

  #reject(reason: string, problems: string[], output?: string): SyncOutcome {
    this.#options.metrics.validationFailures.inc({ reason });
    this.#options.log.error(
      { reason, problems, ...(output ? { output } : {}) },
      'config rejected; the last good config stays published',
    );
    return { result: 'failed' };
  }
}
