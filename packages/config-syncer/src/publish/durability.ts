import { closeSync, fsync, openSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { promisify } from 'node:util';

/** `--fsync`: whether a publish waits for its files to reach the disk. */
export const fsyncModes = ['auto', 'always', 'never'] as const;
export type FsyncMode = (typeof fsyncModes)[number];

/** statfs(2) f_type of filesystems kept in memory: their files are gone after a power loss anyway. */
const memoryFilesystems = new Map([
  [0x01021994, 'tmpfs'],
  [0x858458f6, 'ramfs'],
]);

const fsyncFd = promisify(fsync);

/**
 * Whether publishes fsync, decided once for the target's filesystem, and the place every fsync of a
 * publish goes through (so each is counted). Rename is atomic for readers either way; an fsync only
 * decides what a power loss leaves on the disk.
 */
export class Durability {
  /** Why fsync is on or off, for the log line at start. */
  readonly reason: string;
  readonly #enabled: boolean;
  readonly #onFsync: (count: number) => void;

  constructor(enabled: boolean, reason: string, onFsync: (count: number) => void = () => {}) {
    this.#enabled = enabled;
    this.reason = reason;
    this.#onFsync = onFsync;
  }

  /** `auto`: fsync unless `dir` is on tmpfs or ramfs, where an fsync keeps nothing a power loss spares. */
  static async forTarget(
    mode: FsyncMode,
    dir: string,
    onFsync?: (count: number) => void,
  ): Promise<Durability> {
    if (mode !== 'auto') return new Durability(mode === 'always', `--fsync ${mode}`, onFsync);
    const memory = memoryFilesystems.get((await statfs(dir)).type);
    return memory
      ? new Durability(false, `--fsync auto: the target is on ${memory}`, onFsync)
      : new Durability(true, '--fsync auto: the target is on a disk', onFsync);
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  /**
   * fsyncs the open files all at once: fsyncs in flight together are committed by the filesystem's
   * journal in shared commits, where one after the other each waits for its own.
   */
  async syncFiles(fds: readonly number[]): Promise<void> {
    if (!this.#enabled || fds.length === 0) return;
    await Promise.all(fds.map((fd) => fsyncFd(fd)));
    this.#onFsync(fds.length);
  }

  /** Makes renames and unlinks in `dir` durable: without it a power cut can bring back the old names. */
  async syncDirectory(dir: string): Promise<void> {
    if (!this.#enabled) return;
    // Only the fsync waits in the thread pool: open and close take microseconds.
    const fd = openSync(dir, 'r');
    try {
      await fsyncFd(fd);
    } finally {
      closeSync(fd);
    }
    this.#onFsync(1);
  }
}
