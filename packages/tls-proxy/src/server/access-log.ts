import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@toolkit/lifecycle';
import type { ProxyMetrics } from '../metrics.ts';

export interface RequestRecord {
  method: string | undefined;
  path: string | undefined;
  status: number;
  /** Milliseconds from the request head to the end of the response. */
  ms: number;
  client: string;
  /** The client's HTTP version: 1.1, 2.0 (h2), 1.0. */
  http?: string;
  /** The response was cut before its end (client gone or upstream failed mid-body). */
  aborted?: boolean;
  websocket?: boolean;
  malformed?: string;
}

/** Counts the request and, unless turned off, writes one JSON line: `{"msg":"request",...}`. */
export class RequestRecorder {
  readonly #log: Logger | undefined;
  readonly #metrics: ProxyMetrics;

  constructor(metrics: ProxyMetrics, log: Logger | undefined) {
    this.#metrics = metrics;
    this.#log = log;
  }

  record(entry: RequestRecord): void {
    this.#metrics.countRequest(entry.method, entry.status, entry.ms / 1000);
    if (this.#log) {
      entry.ms = Math.round(entry.ms * 10) / 10;
      this.#log.info(entry, 'request');
    }
  }

  /** Records when the response closes; 499 (nginx's word) when the client left before any answer. */
  watch(req: IncomingMessage, res: ServerResponse, client: string, done: () => void): void {
    const started = performance.now();
    res.once('close', () => {
      const status = res.headersSent ? res.statusCode : 499;
      const ms = performance.now() - started;
      if (!this.#log) {
        // The hot path without an access log: no record object at all.
        this.#metrics.countRequest(req.method, status, ms / 1000);
      } else {
        const aborted = !res.writableFinished;
        this.record({
          method: req.method,
          path: req.url,
          status,
          ms,
          client,
          http: req.httpVersion,
          ...(aborted ? { aborted } : {}),
        });
      }
      done();
    });
  }
}
