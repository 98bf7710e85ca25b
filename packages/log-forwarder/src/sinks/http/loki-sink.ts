import type { RecordSlice } from '../../records/record.ts';
import type { BodyWriter } from '../body-writer.ts';
import { fieldText } from '../record-fields.ts';
import { retryAll, type SendOutcome, type Sink } from '../sink.ts';
import { BatchPoster } from './batch-poster.ts';
import { excerpt, outcomeOfAnswer, outcomeOfError } from './http-outcome.ts';
import { type HttpTarget, joinUrl } from './http-target.ts';
import { type LabelField, LokiStreams } from './loki-streams.ts';

export interface LokiSinkOptions {
  target: HttpTarget;
  labels: Record<string, string>;
  gzip: boolean;
  timeoutMs: number;
  /** Parsed fields that become labels (none by default). */
  labelFrom?: readonly LabelField[];
  /** The other parsed fields as each entry's structured metadata (Loki 2.9 and later). */
  structuredMetadata?: boolean;
  maxLabelValues?: number;
  /** Counts a record left without a label from a field, its value being past maxLabelValues. */
  labelOverflow?: (label: string) => void;
}

/**
 * Pushes to Grafana Loki (`POST /loki/api/v1/push`, JSON): one stream per file and set of labels from
 * parsed fields (see LokiStreams), labelled with the static labels and `filename`; the other parsed
 * fields go in each entry's structured metadata (the third element of a value). Timestamps are
 * nanoseconds as strings: the event's (--time-key, --format) when the record has one; else the read
 * time, lines read in the same millisecond getting consecutive nanoseconds, since Loki drops an entry
 * equal in time and text to another.
 */
export class LokiSink implements Sink {
  readonly name = 'loki';
  readonly #options: LokiSinkOptions;
  readonly #requests: BatchPoster;
  readonly #url: URL;
  readonly #streams: LokiStreams;
  /** Loki said no to structured metadata (not allowed there, or older than 2.9): sent without it since. */
  #metadataRefused = false;
  #lastMs = 0;
  #sequence = 0;

  constructor(options: LokiSinkOptions) {
    this.#options = options;
    this.#requests = new BatchPoster(options.target);
    const base = options.target.url;
    this.#url = base.pathname.endsWith('/push') ? base : joinUrl(base, 'loki/api/v1/push');
    this.#streams = new LokiStreams({
      labels: options.labels,
      labelFrom: options.labelFrom ?? [],
      maxLabelValues: options.maxLabelValues ?? 50,
      overflow: options.labelOverflow ?? (() => {}),
    });
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
    const metadata = (this.#options.structuredMetadata ?? false) && !this.#metadataRefused;
    writer.reset();
    writer.text('{"streams":[');
    let firstStream = true;
    for (const { labels, labelFields, records } of this.#streams.split(batch)) {
      writer.text(`${firstStream ? '' : ','}{"stream":${JSON.stringify(labels)},"values":[`);
      firstStream = false;
      let first = true;
      for (const { block, from, to } of records.slices) {
        for (let i = from; i < to; i++) {
          writer.text(`${first ? '' : ','}["${this.#nanoseconds(block, i)}",`);
          first = false;
          writer.jsonLine(block, i);
          const fields = metadata ? block.fields?.[i] : undefined;
          if (fields) writeMetadata(writer, fields, labelFields);
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
      if (answer.status === 400 && /structured.?metadata/i.test(answer.body) && !this.#metadataRefused) {
        // Dropping every parsed line for a feature Loki has off would lose the log: send it without.
        this.#metadataRefused = true;
        return retryAll(
          records,
          `Loki refuses structured metadata (${excerpt(answer.body)}): sending without it from now on; set --no-loki-structured-metadata`,
        );
      }
      return outcomeOfAnswer(records, answer);
    } catch (error) {
      return outcomeOfError(records, error);
    }
  }

  close(): void {
    this.#requests.close();
  }
}

/** `,{"k":"v",...}`: the fields not used as labels, as strings (an entry with none gets no third element). */
function writeMetadata(writer: BodyWriter, fields: Record<string, unknown>, labelFields: Set<string>): void {
  let first = true;
  for (const key in fields) {
    const value = fields[key];
    if (labelFields.has(key) || value === undefined) continue;
    writer.text(`${first ? ',{' : ','}${JSON.stringify(key)}:`);
    writer.jsonString(fieldText(value));
    first = false;
  }
  if (!first) writer.text('}');
}
