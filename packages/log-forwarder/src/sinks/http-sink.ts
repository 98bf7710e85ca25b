import { HttpPoster } from '../http-post.ts';
import type { HttpTarget } from '../http-target.ts';
import type { RecordSlice } from '../record.ts';
import { type BodyWriter, BodyWriters } from './body-writer.ts';
import { outcomeOfAnswer, outcomeOfError } from './http-outcome.ts';
import { createJsonDocument, createJsonLines, type DocumentWriter, type LinesWriter } from './serialize.ts';
import type { SendOutcome, Sink } from './sink.ts';

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
  readonly #poster: HttpPoster;
  readonly #document: DocumentWriter;
  readonly #lines: LinesWriter;
  readonly #writers = new BodyWriters();

  constructor(options: HttpSinkOptions) {
    this.#options = options;
    this.#poster = new HttpPoster(options.target);
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
    const { writer, release } = this.#writers.take();
    try {
      const answer = await this.#poster.post(target.url, this.body(records, writer), {
        contentType: format === 'json' ? 'application/json' : 'application/x-ndjson',
        timeoutMs,
        gzip,
        maxResponseBytes: 4096,
        signal,
        released: release,
      });
      return outcomeOfAnswer(records, answer);
    } catch (error) {
      return outcomeOfError(records, error);
    } finally {
      release();
    }
  }

  close(): void {
    this.#poster.close();
  }
}
