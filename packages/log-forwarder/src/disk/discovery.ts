import { glob } from 'node:fs/promises';
import type { Logger } from '@toolkit/lifecycle';
import { type FSWatcher, watch } from 'chokidar';
import { globBase, globDepth, type PathFilter } from './glob.ts';

export interface DiscoveryHandlers {
  /** A followed path appeared (or was seen by a rescan); it may be a file already followed. */
  found(path: string): void;
  /** A followed path changed: its reader should look for new data now. */
  changed(path: string): void;
}

/** Each watched base directory with the depth its globs reach (undefined: unlimited). */
export function watchRoots(include: readonly string[]): Map<string, number | undefined> {
  const roots = new Map<string, number | undefined>();
  for (const pattern of include) {
    const base = globBase(pattern);
    const depth = globDepth(pattern);
    if (!roots.has(base)) roots.set(base, depth);
    else {
      const previous = roots.get(base);
      roots.set(base, previous === undefined || depth === undefined ? undefined : Math.max(previous, depth));
    }
  }
  return roots;
}

/**
 * Finds the files to follow: chokidar reports new and changed files at once, and a slow rescan with
 * the globs catches what a watcher can miss (an inotify queue overflow, a file system without events).
 */
export class Discovery {
  readonly #watchers: FSWatcher[] = [];
  readonly #include: readonly string[];
  readonly #filter: PathFilter;
  readonly #handlers: DiscoveryHandlers;
  #rescanTimer: NodeJS.Timeout | undefined;

  constructor(include: readonly string[], filter: PathFilter, handlers: DiscoveryHandlers) {
    this.#include = include;
    this.#filter = filter;
    this.#handlers = handlers;
  }

  /** Starts watching; resolves once the initial scan has reported every existing file. */
  async start(log: Logger, rescanMs: number): Promise<void> {
    const ready: Promise<void>[] = [];
    for (const [root, depth] of watchRoots(this.#include)) {
      const watcher = watch(root, {
        ...(depth === undefined ? {} : { depth }),
        atomic: false,
        ignored: (path, stats) => {
          if (!stats) return false;
          return stats.isDirectory() ? !this.#filter.mayContain(path) : !this.#filter.matches(path);
        },
      });
      watcher.on('add', (path) => this.#handlers.found(path));
      watcher.on('change', (path) => this.#handlers.changed(path));
      watcher.on('error', (error) => log.warn({ err: error, root }, 'file watcher error'));
      ready.push(new Promise((resolve) => watcher.once('ready', resolve)));
      this.#watchers.push(watcher);
    }
    await Promise.all(ready);
    await this.rescan();
    this.#rescanTimer = setInterval(() => {
      this.rescan().catch((error) => log.warn({ err: error }, 'rescan failed'));
    }, rescanMs);
    this.#rescanTimer.unref();
  }

  /** Reports every existing file the globs match. */
  async rescan(): Promise<void> {
    for (const pattern of this.#include) {
      for await (const path of glob(pattern)) {
        if (this.#filter.matches(path)) this.#handlers.found(path);
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#rescanTimer);
    await Promise.all(this.#watchers.map((watcher) => watcher.close()));
  }
}
