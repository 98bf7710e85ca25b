import {
  type BackoffPolicy,
  computeBackoff,
  type Dispatcher,
  describeError,
  sleep,
  type UrlWithoutCredentials,
} from '@toolkit/lifecycle';
import type { FileSet } from '../snapshot.ts';
import { type CacheValidators, fetchIfChanged } from './conditional-get.ts';
import { type Source, type SourceContext, SourcePendingError } from './source.ts';

export interface UrlSourceOptions {
  /** The file name the content is published under. */
  name: string;
  url: UrlWithoutCredentials;
  intervalMs: number;
  timeoutMs: number;
  backoffMaxMs: number;
  token?: string | undefined;
  /** --max-file-bytes: a larger body is an error, the last good content stays. */
  maxFileBytes: number;
  dispatcher?: Dispatcher | undefined;
}

/** One file from an HTTP(S) URL, polled; errors back off exponentially and keep the last good content. */
export class UrlSource implements Source {
  readonly label: string;
  readonly #options: UrlSourceOptions;
  readonly #stop = new AbortController();
  #content: Buffer | undefined;
  #validators: CacheValidators | undefined;
  #loop: Promise<void> | undefined;

  constructor(options: UrlSourceOptions) {
    this.#options = options;
    this.label = options.url.label;
  }

  async read(): Promise<FileSet> {
    if (!this.#content) throw new SourcePendingError(`${this.label}: not fetched yet`);
    return new Map([[this.#options.name, this.#content]]);
  }

  async refresh(signal: AbortSignal): Promise<void> {
    await this.#fetch(signal);
  }

  async start(context: SourceContext): Promise<void> {
    this.#loop = this.#poll(context);
  }

  async close(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }

  /** Fetches once; resolves with what happened, for the metric. */
  async #fetch(signal: AbortSignal): Promise<'modified' | 'not_modified' | 'unchanged'> {
    const result = await fetchIfChanged(this.#options.url, this.#content ? this.#validators : undefined, {
      timeoutMs: this.#options.timeoutMs,
      token: this.#options.token,
      maxBytes: this.#options.maxFileBytes,
      dispatcher: this.#options.dispatcher,
      signal,
    });
    if (result.status === 'not-modified') return 'not_modified';
    this.#validators = result.validators;
    // A server without ETag or Last-Modified answers 200 every time: only new bytes are a change.
    if (this.#content?.equals(result.body)) return 'unchanged';
    this.#content = result.body;
    return 'modified';
  }

  async #poll({ onChange, log, metrics, signal }: SourceContext): Promise<void> {
    const stop = AbortSignal.any([signal, this.#stop.signal]);
    const backoff: BackoffPolicy = {
      initialMs: Math.min(1000, this.#options.intervalMs),
      maxMs: Math.max(this.#options.backoffMaxMs, this.#options.intervalMs),
    };
    let failures = 0;
    while (!stop.aborted) {
      let delay = this.#options.intervalMs;
      try {
        const result = await this.#fetch(stop);
        metrics.sourceFetches.inc({ source: this.label, result });
        if (failures > 0) log.info({ source: this.label, failures }, 'source reachable again');
        failures = 0;
        if (result === 'modified') onChange();
      } catch (error) {
        if (stop.aborted) break;
        failures += 1;
        delay = computeBackoff(backoff, failures);
        metrics.sourceFetches.inc({ source: this.label, result: 'error' });
        metrics.sourceErrors.inc({ source: this.label });
        log.warn(
          { source: this.label, err: describeError(error), failures, retryInMs: delay },
          'source fetch failed; keeping the last good config',
        );
      }
      await sleep(delay, stop);
    }
  }
}
