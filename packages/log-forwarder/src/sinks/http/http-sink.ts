import type { RecordSlice } from '../../records/record.ts';
import type { BodyWriter } from '../body-writer.ts';
import { createJsonDocument, createJsonLines, type DocumentWriter, type LinesWriter } from '../serialize.ts';
import type { SendOutcome, Sink } from '../sink.ts';
import { BatchPoster } from './batch-poster.ts';
import { outcomeOfAnswer, outcomeOfError } from './http-outcome.ts';
import type { HttpTarget } from './http-target.ts';

export interface HttpSinkOptions {
  target: HttpTarget;
  format: 'ndjson' | 'json';
  labels: Record<string, string>;
  gzip: boolean;
  timeoutMs: number;
}

/** POSTs batches of JSON records to a URL: NDJSON (one record per line) or one JSON array. */
export class HttpSink implements Sink {
  readonly name = 'http';
  readonly #options: HttpSinkOptions;
  readonly #requests: BatchPoster;
  readonly #document: DocumentWriter;
  readonly #lines: LinesWriter;

  constructor(options: HttpSinkOptions) {
    this.#options = options;
    this.#requests = new BatchPoster(options.target);
    this.#document = createJsonDocument(options.labels);
    this.#lines = createJsonLines(options.labels);
  }

  /** The request body, in `writer`'s buffer: valid until its next use. */
  body(batch: RecordSlice[], writer: BodyWriter): Buffer {
    writer.reset();
    if (this.#options.format === 'ndjson') {
      for (const { block, from, to } of batch) this.#lines(block, from, to, writer);
      return writer.bytes;
    }
    const document = this.#document;
    writer.text('[');
    let first = true;
    for (const { block, from, to } of batch) {
      for (let i = from; i < to; i++) {
        if (!first) writer.text(',');
        first = false;
        document(block, i, writer);
      }
    }
    writer.text(']');
    return writer.bytes;
  }

  async send(records: RecordSlice[], signal: AbortSignal): Promise<SendOutcome> {
    const { target, format, gzip, timeoutMs } = this.#options;
    try {
      const answer = await this.#requests.post(target.url, (writer) => this.body(records, writer), {
        contentType: format === 'json' ? 'application/json' : 'application/x-ndjson',
        timeoutMs,
        gzip,
        maxResponseBytes: 4096,
        signal,
      });
      return outcomeOfAnswer(records, answer);
    } catch (error) {
      return outcomeOfError(records, error);
    }
  }

  close(): void {
    this.#requests.close();
  }
}
