import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Notifier, PublishEvent } from './notifier.ts';

/**
 * Replaces a file with the new commit's hash: an app watching it (inotify, a kubelet probe, a file
 * watcher) sees one complete write, never a half-written file.
 */
export class TouchNotifier implements Notifier {
  readonly hook = 'touch';
  readonly #path: string;

  constructor(path: string) {
    this.#path = path;
  }

  async send(event: PublishEvent): Promise<void> {
    const dir = dirname(this.#path);
    await mkdir(dir, { recursive: true });
    const temporary = join(dir, `.${basename(this.#path)}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      await writeFile(temporary, `${event.commit}\n`);
      await rename(temporary, this.#path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }
}
