import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export type LoadReason = 'start' | 'signal' | 'http';

/** What the app reads from its config file: a JSON object; `message` is shown on its front page. */
export interface ConfigStatus {
  file: string;
  loaded: boolean;
  sha256: string | null;
  /** Loads when told (SIGHUP or POST /-/reload), not counting the one at start. */
  reloads: number;
  reason: LoadReason | null;
  /** The revision config-syncer sent with its notification, when it did. */
  revision: string | null;
  error: string | null;
  message: string | null;
}

/**
 * The app's config, loaded at start and again only when told (SIGHUP or POST /-/reload), like nginx or
 * Prometheus: the demo shows config-syncer telling it. A file that is missing or not a JSON object keeps
 * the config loaded before.
 */
export class AppConfig {
  readonly #status: ConfigStatus;
  #values: Record<string, unknown> = {};

  constructor(file: string) {
    this.#status = {
      file,
      loaded: false,
      sha256: null,
      reloads: 0,
      reason: null,
      revision: null,
      error: null,
      message: null,
    };
  }

  get status(): ConfigStatus {
    return { ...this.#status };
  }

  get values(): Record<string, unknown> {
    return this.#values;
  }

  /** Re-reads the file; answers whether it was loaded. */
  load(reason: LoadReason, revision: string | null = null): boolean {
    const status = this.#status;
    try {
      const text = readFileSync(status.file, 'utf8');
      const parsed: unknown = JSON.parse(text);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new Error('the config is not a JSON object');
      }
      this.#values = parsed as Record<string, unknown>;
      if (reason !== 'start') status.reloads += 1;
      Object.assign(status, {
        loaded: true,
        sha256: createHash('sha256').update(text).digest('hex'),
        reason,
        revision,
        error: null,
        message: typeof this.#values.message === 'string' ? this.#values.message : null,
      });
      return true;
    } catch (error) {
      status.error = (error as Error).message;
      return false;
    }
  }
}
