import type { Dispatcher } from 'undici';
import { sendNotification } from '../notification.ts';
import type { StatusMatcher } from '../status-matcher.ts';
import type { UrlWithoutCredentials } from '../url-credentials.ts';
import type { NotificationTarget } from './target.ts';

export interface HttpTargetOptions<Event> {
  /** `http:` and the URL without credentials or query, unless given. */
  label?: string | undefined;
  url: UrlWithoutCredentials;
  method: string;
  accept: StatusMatcher;
  timeoutMs: number;
  /** Headers that name the event, e.g. `x-config-revision`. */
  headers(event: Event): Record<string, string>;
  /** Trust and client certificate for https URLs: `context.outgoingTls.dispatcher`. */
  dispatcher?: Dispatcher | undefined;
}

/** An HTTP request to the app (Prometheus `/-/reload`, a custom endpoint) with the event as JSON. */
export class HttpTarget<Event> implements NotificationTarget<Event> {
  readonly label: string;
  readonly #options: HttpTargetOptions<Event>;

  constructor(options: HttpTargetOptions<Event>) {
    this.#options = options;
    this.label = options.label ?? `http:${options.url.label}`;
  }

  async send(event: Event, signal: AbortSignal): Promise<Record<string, unknown>> {
    const { url, method, accept, timeoutMs, dispatcher } = this.#options;
    const headers = this.#options.headers(event);
    if (url.authorization) headers.authorization = url.authorization;
    const status = await sendNotification({
      url: url.href,
      method,
      headers,
      body: event,
      accept,
      timeoutMs,
      signal,
      dispatcher,
    });
    return { status };
  }
}
