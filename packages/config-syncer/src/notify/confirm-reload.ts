import type { Dispatcher, UrlWithoutCredentials } from '@toolkit/lifecycle';
import { describeError, type Logger, sleep } from '@toolkit/lifecycle';
import type { SyncerMetrics } from '../metrics.ts';

/**
 * What counts as "the app took the new config" at `--confirm-url`. revision: a 2xx body containing
 * the published revision (the `revision` of the webhook, `$CONFIG_REVISION`) or the sha256 of a file
 * written by that publish. prometheus: Prometheus's `/api/v1/status/runtimeinfo`, with
 * `reloadConfigSuccess` true and `lastConfigTime` not before the publish (what
 * prometheus-config-reloader checks).
 */
export const confirmModes = ['revision', 'prometheus'] as const;
export type ConfirmMode = (typeof confirmModes)[number];

export interface ConfirmOptions {
  url: UrlWithoutCredentials;
  mode: ConfirmMode;
  /** From the publish: past it the publish counts as never confirmed. */
  timeoutMs: number;
  /** Wait between polls. */
  intervalMs: number;
  /** Trust and client certificate for https URLs: lifecycle's outgoing TLS. */
  dispatcher?: Dispatcher | undefined;
}

/** A publish to confirm. */
export interface PublishedRevision {
  revision: string;
  /** sha256 of each file written by this publish (not of unchanged ones: they were there before). */
  writtenHashes: string[];
  /** Unix ms of the publish. */
  publishedAt: number;
}

export type ConfirmResult = 'confirmed' | 'timeout' | 'superseded';

export interface ConfirmReporting {
  log: Logger;
  metrics: SyncerMetrics;
}

// A runtime-info or status page is small: a larger body is read only this far.
const maxBodyBytes = 1024 * 1024;
// One hung request must not use up the whole --confirm-timeout.
const maxRequestMs = 10_000;

/**
 * Polls `--confirm-url` after each publish until it reports the new revision, or the timeout passes
 * (logged and counted; the program goes on). A newer publish replaces the one being confirmed.
 */
export class ReloadConfirmer {
  readonly #options: ConfirmOptions;
  readonly #reporting: ConfirmReporting;
  #current: AbortController | undefined;
  #running: Promise<void> | undefined;
  #closed = false;
  /** Prometheus's lastConfigTime as last seen, carried from one confirmation to the next. */
  #lastConfigTime: number | undefined;

  constructor(options: ConfirmOptions, reporting: ConfirmReporting) {
    this.#options = options;
    this.#reporting = reporting;
  }

  get label(): string {
    return this.#options.url.label;
  }

  confirm(published: PublishedRevision): void {
    if (this.#closed) return;
    this.#current?.abort();
    const stop = new AbortController();
    this.#current = stop;
    const previous = this.#running;
    this.#running = (async () => {
      await previous;
      await this.#poll(published, stop.signal);
    })();
  }

  /** At shutdown: stops polling (a confirmation in progress is neither counted nor logged as failed). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#current?.abort();
    await this.#running;
  }

  async #poll(published: PublishedRevision, stop: AbortSignal): Promise<void> {
    const { timeoutMs, intervalMs } = this.#options;
    const { log } = this.#reporting;
    const fields = { revision: published.revision, url: this.label };
    const started = performance.now();
    const deadline = started + Math.max(0, timeoutMs - (Date.now() - published.publishedAt));
    let polls = 0;
    let last = 'no answer yet';
    const earlier = this.#lastConfigTime;
    const memory: PollMemory = {
      lastConfigTime: earlier,
      sawEarlierConfigTime:
        earlier !== undefined && earlier < Math.floor(published.publishedAt / 1000) * 1000,
    };
    while (!stop.aborted) {
      const left = deadline - performance.now();
      if (left <= 0) break;
      polls += 1;
      try {
        const requestTimeout = AbortSignal.timeout(Math.ceil(Math.min(left, maxRequestMs)));
        const seen = await this.#check(published, memory, AbortSignal.any([stop, requestTimeout]));
        if (seen.confirmed) {
          this.#lastConfigTime = memory.lastConfigTime;
          const ms = Math.round(Date.now() - published.publishedAt);
          this.#count('confirmed', published);
          log.info({ ...fields, polls, ms }, 'reload confirmed');
          return;
        }
        last = seen.state;
      } catch (error) {
        // A request cut short by the deadline says nothing about the app: keep the last real answer.
        if (stop.aborted || performance.now() >= deadline) break;
        last = describeError(error);
      }
      this.#lastConfigTime = memory.lastConfigTime;
      await sleep(Math.min(intervalMs, Math.max(0, deadline - performance.now())), stop);
    }
    this.#lastConfigTime = memory.lastConfigTime;
    if (stop.aborted) {
      if (this.#closed) return;
      this.#count('superseded', published);
      log.info(fields, 'reload confirmation superseded by a newer publish');
      return;
    }
    this.#count('timeout', published);
    log.warn(
      { ...fields, polls, timeoutMs, last },
      'reload not confirmed: the app did not report the new revision in time',
    );
  }

  #count(result: ConfirmResult, published: PublishedRevision): void {
    const { metrics } = this.#reporting;
    metrics.confirmations.inc({ result });
    if (result !== 'confirmed') return;
    metrics.lastConfirmed.setToCurrentTime();
    metrics.confirmedRevision.reset();
    metrics.confirmedRevision.set({ revision: published.revision }, 1);
  }

  async #check(
    published: PublishedRevision,
    memory: PollMemory,
    signal: AbortSignal,
  ): Promise<{ confirmed: boolean; state: string }> {
    const { url, dispatcher, mode } = this.#options;
    const response = await fetch(url.href, {
      headers: url.authorization ? { authorization: url.authorization } : {},
      signal,
      ...(dispatcher ? { dispatcher } : {}),
    });
    const body = await readCapped(response, maxBodyBytes);
    if (response.status < 200 || response.status > 299) {
      return { confirmed: false, state: `status ${response.status}` };
    }
    return mode === 'prometheus' ? checkRuntimeInfo(body, published, memory) : checkBody(body, published);
  }
}

/** `revision`: the body names the revision, or the sha256 of a file this publish wrote. */
export function checkBody(body: string, published: PublishedRevision): { confirmed: boolean; state: string } {
  const text = body.toLowerCase();
  const confirmed =
    text.includes(published.revision) || published.writtenHashes.some((hash) => text.includes(hash));
  return { confirmed, state: `body without the revision: ${JSON.stringify(body.slice(0, 200))}` };
}

/** What earlier polls saw: Prometheus's runtime info needs more than the last answer. */
export interface PollMemory {
  /** The last lastConfigTime seen (Unix ms), by this confirmation or an earlier one. */
  lastConfigTime: number | undefined;
  /** A poll saw a lastConfigTime before this publish's second, so a later change of it is a reload since. */
  sawEarlierConfigTime: boolean;
}

/**
 * `prometheus`: a successful reload after the publish. runtimeinfo gives lastConfigTime in whole
 * seconds, so a time in the publish's own second is taken only if a poll (of this confirmation, or the
 * last one of an earlier) saw an earlier time: otherwise it may be a reload from before the publish
 * (two publishes within a second), and the publish waits for a later second, or times out.
 */
export function checkRuntimeInfo(
  body: string,
  published: PublishedRevision,
  memory: PollMemory,
): { confirmed: boolean; state: string } {
  let data: { reloadConfigSuccess?: unknown; lastConfigTime?: unknown } | undefined;
  try {
    data = (JSON.parse(body) as { data?: typeof data }).data;
  } catch {
    return { confirmed: false, state: 'not JSON' };
  }
  const success = data?.reloadConfigSuccess;
  const lastConfigTime = Date.parse(String(data?.lastConfigTime));
  const state = `reloadConfigSuccess ${success}, lastConfigTime ${String(data?.lastConfigTime)}`;
  const publishSecond = Math.floor(published.publishedAt / 1000) * 1000;
  if (Number.isFinite(lastConfigTime)) memory.lastConfigTime = lastConfigTime;
  if (lastConfigTime < publishSecond) memory.sawEarlierConfigTime = true;
  const reloadedSince =
    lastConfigTime > publishSecond || (lastConfigTime === publishSecond && memory.sawEarlierConfigTime);
  return { confirmed: success === true && reloadedSince, state };
}

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    chunks.push(Buffer.from(chunk));
    size += chunk.byteLength;
    if (size >= maxBytes) {
      await response.body.cancel().catch(() => {});
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, maxBytes);
}
