import { HttpPoster } from '../http-post.ts';
import type { HttpTarget } from '../http-target.ts';
import type { RecordSlice } from '../record.ts';
import { BodyWriter } from './body-writer.ts';
import { outcomeOfAnswer, outcomeOfError } from './http-outcome.ts';
import { createJsonDocument, type DocumentWriter } from './serialize.ts';
import type { SendOutcome, Sink } from './sink.ts';

const newline = Buffer.from('\n');

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
  readonly #writer = new BodyWriter();

  constructor(options: HttpSinkOptions) {
    this.#options = options;
    this.#poster = new HttpPoster(options.target);
    this.#document = createJsonDocument(options.labels);
  }

  /** The request body, in the sink's reused buffer: valid until the next call. */
  body(batch: RecordSlice[]): Buffer {
    const writer = this.#writer;
    const document = this.#document;
    const array = this.#options.format === 'json';
    writer.reset();
    if (array) writer.text('[');
    let first = true;
    for (const { block, from, to } of batch) {
      for (let i = from; i < to; i++) {
        if (array && !first) writer.text(',');
        first = false;
        document(block, i, writer);
        if (!array) writer.constant(newline);
      }
    }
    if (array) writer.text(']');
    return writer.bytes;
  }

  async send(records: RecordSlice[], signal: AbortSignal): Promise<SendOutcome> {
    const { target, format, gzip, timeoutMs } = this.#options;
    try {
      const answer = await this.#poster.post(target.url, this.body(records), {
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
    this.#poster.close();
  }
}
