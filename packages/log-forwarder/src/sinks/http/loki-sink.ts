import type { RecordSlice } from '../../records/record.ts';
import type { BodyWriter } from '../body-writer.ts';
import type { SendOutcome, Sink } from '../sink.ts';
import { BatchPoster } from './batch-poster.ts';
import { outcomeOfAnswer, outcomeOfError } from './http-outcome.ts';
import { type HttpTarget, joinUrl } from './http-target.ts';

export interface LokiSinkOptions {
  target: HttpTarget;
  labels: Record<string, string>;
  gzip: boolean;
  timeoutMs: number;
}

/**
 * Pushes to Grafana Loki (`POST /loki/api/v1/push`, JSON): one stream per file, labelled with the
 * static labels and `filename`. Timestamps are nanoseconds as strings: the event's (--time-key,
 * --format) when the record has one; else the read time, lines read in the same millisecond getting
 * consecutive nanoseconds, since Loki drops an entry equal in time and text to another.
 */
export class LokiSink implements Sink {
  readonly name = 'loki';
  readonly #options: LokiSinkOptions;
  readonly #requests: BatchPoster;
  readonly #url: URL;
  #lastMs = 0;
  #sequence = 0;

  constructor(options: LokiSinkOptions) {
    this.#options = options;
    this.#requests = new BatchPoster(options.target);
    const base = options.target.url;
    this.#url = base.pathname.endsWith('/push') ? base : joinUrl(base, 'loki/api/v1/push');
  }

  /**
   * Record `i`'s time in nanoseconds: the time taken from its line as it is (promtail does the
   * same), else the read time with a sequence number.
   */
  #nanoseconds(block: RecordSlice['block'], i: number): string {
    const eventMs = block.eventMs?.[i];
    if (eventMs !== undefined && !Number.isNaN(eventMs)) {
      return `${eventMs}${String(block.eventNs![i]).padStart(6, '0')}`;
    }
    const ms = block.time;
    if (ms > this.#lastMs) {
      this.#lastMs = ms;
      this.#sequence = 0;
    } else {
      this.#sequence++;
    }
    return `${this.#lastMs}${String(this.#sequence % 1_000_000).padStart(6, '0')}`;
  }

  /** The push body, in `writer`'s buffer: valid until its next use. */
  body(batch: RecordSlice[], writer: BodyWriter): Buffer {
    const streams = new Map<string, RecordSlice[]>();
    for (const slice of batch) {
      const list = streams.get(slice.block.source.path);
      if (list) list.push(slice);
      else streams.set(slice.block.source.path, [slice]);
    }
    writer.reset();
    writer.text('{"streams":[');
    let firstStream = true;
    for (const [path, slices] of streams) {
      writer.text(
        `${firstStream ? '' : ','}{"stream":${JSON.stringify({ ...this.#options.labels, filename: path })},"values":[`,
      );
      firstStream = false;
      let first = true;
      for (const { block, from, to } of slices) {
        for (let i = from; i < to; i++) {
          writer.text(`${first ? '' : ','}["${this.#nanoseconds(block, i)}",`);
          first = false;
          writer.jsonLine(block, i);
          writer.text(']');
        }
      }
      writer.text(']}');
    }
    writer.text(']}');
    return writer.bytes;
  }

  async send(records: RecordSlice[], signal: AbortSignal): Promise<SendOutcome> {
    const { gzip, timeoutMs } = this.#options;
    try {
      const answer = await this.#requests.post(this.#url, (writer) => this.body(records, writer), {
        contentType: 'application/json',
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
