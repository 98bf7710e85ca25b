import { toolkitVersion } from '@toolkit/lifecycle';
import type { RecordSlice } from '../../records/record.ts';
import type { BodyWriter } from '../body-writer.ts';
import { createJsonLogs, createProtobufLogs, type LogsRequestWriter } from '../otlp/logs-request.ts';
import { readPartialSuccess } from '../otlp/logs-response.ts';
import type { SendOutcome, Sink } from '../sink.ts';
import { BatchPoster } from './batch-poster.ts';
import { outcomeOfAnswer, outcomeOfError } from './http-outcome.ts';
import { type HttpTarget, joinUrl } from './http-target.ts';

export interface OtlpSinkOptions {
  target: HttpTarget;
  encoding: 'protobuf' | 'json';
  /** Static labels: the resource attributes. */
  labels: Record<string, string>;
  gzip: boolean;
  timeoutMs: number;
}

/**
 * Exports logs with OTLP/HTTP (`POST /v1/logs`, protobuf or JSON) to an OpenTelemetry Collector or a
 * backend that takes OTLP. The answer rules are the other HTTP sinks' (the OTLP/HTTP spec's too):
 * 2xx taken, 429/502/503/504 (and 408, other 5xx) retried honouring Retry-After, other 4xx dropped.
 * A 2xx with a partial_success (some records rejected) is taken as delivered, since the spec says not
 * to retry it, and its count and message are reported for the metric and the log.
 */
export class OtlpSink implements Sink {
  readonly name = 'otlp';
  readonly #options: OtlpSinkOptions;
  readonly #requests: BatchPoster;
  readonly #url: URL;
  readonly #request: LogsRequestWriter;

  constructor(options: OtlpSinkOptions) {
    this.#options = options;
    this.#requests = new BatchPoster(options.target);
    const base = options.target.url;
    // A URL ending in /v1/logs is the logs endpoint itself; any other is the base of all signals.
    this.#url = base.pathname.endsWith('/v1/logs') ? base : joinUrl(base, 'v1/logs');
    const request = { resource: options.labels, scope: { name: 'log-forwarder', version: toolkitVersion } };
    this.#request = options.encoding === 'json' ? createJsonLogs(request) : createProtobufLogs(request);
  }

  get url(): URL {
    return this.#url;
  }

  /** The request body, in `writer`'s buffer: valid until its next use. */
  body(batch: RecordSlice[], writer: BodyWriter): Buffer {
    return this.#request(batch, writer);
  }

  async send(records: RecordSlice[], signal: AbortSignal): Promise<SendOutcome> {
    const { encoding, gzip, timeoutMs } = this.#options;
    try {
      const answer = await this.#requests.post(this.#url, (writer) => this.body(records, writer), {
        contentType: encoding === 'json' ? 'application/json' : 'application/x-protobuf',
        timeoutMs,
        gzip,
        maxResponseBytes: 4096,
        signal,
      });
      const outcome = outcomeOfAnswer(records, answer);
      const partial = outcome.delivered.length > 0 ? readPartialSuccess(answer.bytes, encoding) : undefined;
      if (!partial) return outcome;
      return { ...outcome, rejected: { count: partial.rejectedLogRecords, reason: partial.errorMessage } };
    } catch (error) {
      return outcomeOfError(records, error);
    }
  }

  close(): void {
    this.#requests.close();
  }
}
