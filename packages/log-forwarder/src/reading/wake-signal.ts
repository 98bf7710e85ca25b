import { watch } from 'node:fs';

/**
 * Sleeps that end early when woken: a wake that comes while nobody sleeps is kept, so the next sleep
 * returns at once and no file event is lost between a check and the sleep after it.
 */
export class WakeSignal {
  #wake: (() => void) | undefined;
  #woken = false;

  wake(): void {
    this.#woken = true;
    this.#wake?.();
  }

  async sleep(ms: number): Promise<void> {
    if (!this.#woken) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
    this.#woken = false;
  }
}

/**
 * Calls `onWrite` on every write to a file (inotify follows the inode, so a renamed file's late writes
 * count too): a file being written is read within a millisecond, not at the next poll. Returns the
 * closer; undefined when the file cannot be watched (it is then polled).
 */
export function watchWrites(path: string, onWrite: () => void): (() => void) | undefined {
  try {
    const watcher = watch(path, { persistent: false }, onWrite);
    watcher.on('error', () => watcher.close());
    return () => watcher.close();
  } catch {
    return undefined;
  }
}
