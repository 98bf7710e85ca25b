import {
  type Dispatcher,
  type StatusMatcher,
  sendNotification,
  splitUrlCredentials,
} from '@toolkit/lifecycle';
import type { Notifier, PublishEvent } from './notifier.ts';

export interface HttpNotifierOptions {
  url: string;
  method: string;
  accept: StatusMatcher;
  timeoutMs: number;
  dispatcher?: Dispatcher | undefined;
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
    const { href, authorization } = splitUrlCredentials(options.url);
    this.#url = href;
    this.#authorization = authorization;
  }

  async send(event: PublishEvent, signal: AbortSignal): Promise<void> {
    const { method, accept, timeoutMs, dispatcher } = this.#options;
    const headers: Record<string, string> = { 'x-repo-updater-hash': event.commit };
    if (this.#authorization) headers.authorization = this.#authorization;
    await sendNotification({
      url: this.#url,
      method,
      headers,
      body: event,
      accept,
      timeoutMs,
      signal,
      dispatcher,
    });
  }
}
