import { open, utimes } from 'node:fs/promises';
import type { Notifier } from './notifier.ts';

/** Creates the file or updates its modification time: for apps that watch one trigger file. */
export class TouchNotifier implements Notifier {
  readonly label: string;
  readonly #path: string;

  constructor(path: string) {
    this.#path = path;
    this.label = `touch:${path}`;
  }

  async send(): Promise<undefined> {
    const handle = await open(this.#path, 'a');
    await handle.close();
    const now = new Date();
    await utimes(this.#path, now, now);
    return undefined;
  }
}
