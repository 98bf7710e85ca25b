import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { NotificationTarget } from './target.ts';

export interface TouchTargetOptions<Event> {
  /** `touch:` and the path unless given. */
  label?: string | undefined;
  path: string;
  /**
   * What to write: the file is then replaced atomically (its directory created), so a watcher sees
   * one complete write. Without it the file is created or its modification time set to now.
   */
  content?: ((event: Event) => string) | undefined;
}

/** A file the app watches (inotify, a kubelet probe, a file watcher). */
export class TouchTarget<Event> implements NotificationTarget<Event> {
  readonly label: string;
  readonly #options: TouchTargetOptions<Event>;

  constructor(options: TouchTargetOptions<Event>) {
    this.#options = options;
    this.label = options.label ?? `touch:${options.path}`;
  }

  async send(event: Event): Promise<undefined> {
    const { path, content } = this.#options;
    if (content) await replaceFile(path, content(event));
    else await touch(path);
    return undefined;
  }
}

async function touch(path: string): Promise<void> {
  const handle = await open(path, 'a');
  await handle.close();
  const now = new Date();
  await utimes(path, now, now);
}

async function replaceFile(path: string, content: string): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temporary = join(dir, `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, content);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
