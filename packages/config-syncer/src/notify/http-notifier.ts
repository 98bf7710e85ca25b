import {
  type Dispatcher,
  type StatusMatcher,
  sendNotification,
  type UrlWithoutCredentials,
} from '@toolkit/lifecycle';
import type { ChangeEvent, Notifier } from './notifier.ts';

export interface HttpNotifierOptions {
  url: UrlWithoutCredentials;
  method: string;
  accept: StatusMatcher;
  timeoutMs: number;
  dispatcher?: Dispatcher | undefined;
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
    const { url, method, accept, timeoutMs, dispatcher } = this.#options;
    const headers: Record<string, string> = { 'x-config-revision': event.revision };
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
