import type { SafeUrl } from '../url-credentials.ts';
import type { ChangeEvent, Notifier } from './notifier.ts';

/** Accepted statuses, from `200`, `204` or a class such as `2xx`. */
export type StatusMatcher = (status: number) => boolean;

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
  url: SafeUrl;
  method: string;
  accept: StatusMatcher;
  timeoutMs: number;
}

/** An HTTP request to the app (Prometheus `/-/reload`, a custom endpoint) with the change as JSON. */
export class HttpNotifier implements Notifier {
  readonly label: string;
  readonly #options: HttpNotifierOptions;

  constructor(options: HttpNotifierOptions) {
    this.#options = options;
    this.label = `http:${options.url.label}`;
  }

  async send(event: ChangeEvent, signal: AbortSignal): Promise<Record<string, unknown>> {
    const { url, method, accept, timeoutMs } = this.#options;
    const hasBody = method !== 'GET';
    const headers: Record<string, string> = { 'x-config-revision': event.revision };
    if (hasBody) headers['content-type'] = 'application/json';
    if (url.authorization) headers.authorization = url.authorization;
    const response = await fetch(url.href, {
      method,
      headers,
      ...(hasBody ? { body: JSON.stringify(event) } : {}),
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
    });
    await response.body?.cancel();
    if (!accept(response.status)) throw new Error(`unexpected status ${response.status}`);
    return { status: response.status };
  }
}
