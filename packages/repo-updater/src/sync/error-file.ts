import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Logger } from '@toolkit/lifecycle';
import type { SyncOutcome } from './syncer.ts';

/**
 * `--error-file`: after a failed (or refused) sync, the error as one JSON object, written to a
 * temporary file and renamed over the path, so a reader sees the whole of one error or none; deleted
 * after a sync that ends well, as git-sync does. Synchronous: a small file, written before the loop
 * goes on (or the program exits), so what a reader finds matches the last sync.
 */
export class ErrorFile {
  readonly #path: string;
  readonly #log: Logger;

  constructor(path: string, log: Logger) {
    this.#path = path;
    this.#log = log;
  }

  record(outcome: SyncOutcome, failures: number): void {
    try {
      if (outcome.result === 'success' || outcome.result === 'noop') {
        rmSync(this.#path, { force: true });
      } else if (outcome.error && outcome.error.code !== 'ABORTED') {
        this.#write({
          time: new Date().toISOString(),
          ...outcome.error.toLog(),
          commit: outcome.error.commit ?? null,
          failures,
        });
      }
    } catch (error) {
      this.#log.warn({ path: this.#path, error: (error as Error).message }, 'cannot update the error file');
    }
  }

  #write(body: Record<string, unknown>): void {
    mkdirSync(dirname(this.#path), { recursive: true });
    const temporary = join(dirname(this.#path), `.${basename(this.#path)}.${process.pid}.tmp`);
    try {
      writeFileSync(temporary, `${JSON.stringify(body)}\n`);
      renameSync(temporary, this.#path);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
  }
}
