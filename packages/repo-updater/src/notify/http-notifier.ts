import type { Notifier, PublishEvent } from './notifier.ts';

/** Accepted statuses, from codes such as `200` and classes such as `2xx`. */
export type StatusMatcher = (status: number) => boolean;

/** Undefined when a pattern is neither a status code nor a class. */
export function parseStatusMatcher(patterns: readonly string[]): StatusMatcher | undefined {
  const tests: StatusMatcher[] = [];
  for (const pattern of patterns) {
    if (/^[1-5]xx$/i.test(pattern)) {
      const hundred = Number(pattern[0]);
      tests.push((status) => Math.floor(status / 100) === hundred);
    } else if (/^[1-5]\d\d$/.test(pattern)) {
      const code = Number(pattern);
      tests.push((status) => status === code);
    } else return undefined;
  }
  return tests.length === 0 ? undefined : (status) => tests.some((test) => test(status));
}

export interface HttpNotifierOptions {
  url: string;
  method: string;
  accept: StatusMatcher;
  timeoutMs: number;
}

/**
 * A request to the app, e.g. its reload endpoint: header X-Repo-Updater-Hash, and for POST and PUT a
 * JSON body. `user:password@` in the URL becomes basic auth (fetch refuses URLs that carry it).
 */
export class HttpNotifier implements Notifier {
  readonly hook = 'http';
  readonly #options: HttpNotifierOptions;
  readonly #url: string;
  readonly #authorization: string | undefined;

  constructor(options: HttpNotifierOptions) {
    this.#options = options;
    const url = new URL(options.url);
    if (url.username || url.password) {
      const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      this.#authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
      url.username = '';
      url.password = '';
    }
    this.#url = url.href;
  }

  async send(event: PublishEvent, signal: AbortSignal): Promise<void> {
    const { method, accept, timeoutMs } = this.#options;
    const hasBody = method !== 'GET';
    const headers: Record<string, string> = { 'x-repo-updater-hash': event.commit };
    if (hasBody) headers['content-type'] = 'application/json';
    if (this.#authorization) headers.authorization = this.#authorization;
    const response = await fetch(this.#url, {
      method,
      headers,
      ...(hasBody ? { body: JSON.stringify(event) } : {}),
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
    });
    await response.body?.cancel();
    if (!accept(response.status)) throw new Error(`unexpected status ${response.status}`);
  }
}
