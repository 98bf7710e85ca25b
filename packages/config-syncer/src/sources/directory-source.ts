import { basename } from 'node:path';
import { type FSWatcher, watch } from 'chokidar';
import type { NameFilter } from '../filter.ts';
import type { FileSet } from '../snapshot.ts';
import { readDirectoryFiles } from './read-directory.ts';
import type { ReadContext, Source, SourceContext } from './source.ts';

// Polling stats every file each period: once a second keeps a 1,000-file directory cheap.
const pollingIntervalMs = 1000;

export interface DirectorySourceOptions {
  accept: NameFilter;
  /** Set with `--recursive`: which subdirectories are read. */
  acceptDirectory: NameFilter | undefined;
  polling: boolean;
  maxFileBytes: number;
}

/** A local directory: a ConfigMap or Secret volume, a plain directory or a bind mount. */
export class DirectorySource implements Source {
  readonly label: string;
  readonly #dir: string;
  readonly #accept: NameFilter;
  readonly #acceptDirectory: NameFilter | undefined;
  readonly #polling: boolean;
  #watcher: FSWatcher | undefined;
  #closed = false;
  /** Links leading out of the directory skipped by the last read, name → where they lead. */
  #linksLeaving = new Map<string, string>();

  readonly #maxFileBytes: number;

  constructor(dir: string, options: DirectorySourceOptions) {
    this.#dir = dir;
    this.label = dir;
    this.#accept = options.accept;
    this.#acceptDirectory = options.acceptDirectory;
    this.#polling = options.polling;
    this.#maxFileBytes = options.maxFileBytes;
  }

  async read({ log, metrics }: ReadContext): Promise<FileSet> {
    const linksLeaving = new Map<string, string>();
    const files = readDirectoryFiles(this.#dir, {
      accept: this.#accept,
      acceptDirectory: this.#acceptDirectory,
      maxFileBytes: this.#maxFileBytes,
      linksLeaving,
    });
    // Said once per link (again if it changes), not at every resync.
    for (const [name, leadsTo] of linksLeaving) {
      if (this.#linksLeaving.get(name) === leadsTo) continue;
      log.warn(
        { source: this.label, file: name, leadsTo },
        'source symlink skipped: it leads out of the source directory, so it is not published',
      );
    }
    this.#linksLeaving = linksLeaving;
    metrics.linksSkipped.set({ source: this.label }, linksLeaving.size);
    return files;
  }

  async refresh(): Promise<void> {}

  async start(context: SourceContext): Promise<void> {
    await this.#watch(context);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#watcher?.close();
  }

  async #watch(context: SourceContext): Promise<void> {
    const { onChange, log, metrics } = context;
    // Only the top level (every level with --recursive, skipping excluded directories), and symlinks as
    // themselves: the kubelet's `..data` swap is a rename of a symlink, which a watcher that follows
    // links would miss.
    const acceptDirectory = this.#acceptDirectory;
    const watcher = watch(this.#dir, {
      depth: acceptDirectory ? undefined : 0,
      ignored: acceptDirectory
        ? (path, stats) =>
            path !== this.#dir && stats?.isDirectory() === true && !acceptDirectory(basename(path))
        : undefined,
      followSymlinks: false,
      ignoreInitial: true,
      atomic: false,
      backend: this.#polling ? 'polling' : 'native',
      pollingInterval: pollingIntervalMs,
    });
    this.#watcher = watcher;
    // Editor swap files and other skipped names cannot change the result: no sync for them. Of the
    // kubelet's names only `..data` counts: its new `..<timestamp>` directory and `..data_tmp` link come
    // before the swap, and a sync started by them would read the old version and hold back the one the
    // swap needs (a ConfigMap change waited on it).
    const matters = (name: string) => name === '..data' || this.#accept(name);
    watcher.on('all', (event, path) => {
      // A directory missing at start is watched through its parent, which does not look inside it
      // once it appears: start over on it.
      if (path === this.#dir && event === 'addDir') return void this.#rewatch(watcher, context);
      if (path !== this.#dir && !matters(basename(path))) return;
      metrics.watchEvents.inc({ source: this.label });
      onChange();
    });
    // Chokidar holds back a file's `change` for up to 50 ms after the previous one; the backend's raw
    // event is not held, so a change is seen at once. A duplicate trigger costs one read that finds
    // nothing new (and the debouncer merges them). Raw events of the parent are not ours.
    if (!this.#polling) {
      watcher.on('raw', (_event, path, details) => {
        const watchedPath = (details as { watchedPath?: string } | undefined)?.watchedPath;
        const inside =
          watchedPath === this.#dir || (acceptDirectory && watchedPath?.startsWith(`${this.#dir}/`));
        if (inside && matters(basename(String(path)))) onChange();
      });
    }
    watcher.on('error', (error) => {
      metrics.watchErrors.inc({ source: this.label });
      log.warn({ source: this.label, err: error }, 'watch error; the periodic resync still runs');
    });
    await new Promise<void>((resolve) => watcher.once('ready', resolve));
  }

  async #rewatch(stale: FSWatcher, context: SourceContext): Promise<void> {
    if (this.#closed || this.#watcher !== stale) return;
    await stale.close();
    if (this.#closed) return;
    context.log.info({ source: this.label }, 'source directory appeared; watching it');
    await this.#watch(context);
    context.onChange();
  }
}
