import type { RecordSlice } from '../../records/record.ts';
import type { BodyWriter } from '../body-writer.ts';
import { createEcsDocument, type DocumentWriter } from '../serialize.ts';
import { deliverAll, type SendOutcome, type Sink, SliceList } from '../sink.ts';
import { BatchPoster } from './batch-poster.ts';
import { excerpt, outcomeOfAnswer, outcomeOfError } from './http-outcome.ts';
import type { HttpAnswer } from './http-post.ts';
import { classifyStatus } from './http-status.ts';
import { type HttpTarget, joinUrl } from './http-target.ts';

export interface ElasticsearchSinkOptions {
  target: HttpTarget;
  index: string;
  action: 'create' | 'index';
  labels: Record<string, string>;
  gzip: boolean;
  timeoutMs: number;
}

interface BulkItemResult {
  status?: number;
  error?: { type?: string; reason?: string };
}

interface BulkAnswer {
  errors?: boolean;
  items?: Record<string, BulkItemResult>[];
}

/**
 * Writes to Elasticsearch or OpenSearch with `_bulk`. Each record's `_id` comes from its file's
 * fingerprint and offset, so a batch sent twice (a lost answer, a restart) is not indexed twice: with
 * `create`, the second copy answers 409, taken as delivered. The answer is 200 even when items fail,
 * so each item is checked: 429 and 5xx items are retried alone, other failures dropped.
 */
export class ElasticsearchSink implements Sink {
  readonly name = 'elasticsearch';
  readonly #options: ElasticsearchSinkOptions;
  readonly #requests: BatchPoster;
  readonly #url: URL;
  readonly #document: DocumentWriter;
  readonly #actionPrefix: string;

  constructor(options: ElasticsearchSinkOptions) {
    this.#options = options;
    this.#requests = new BatchPoster(options.target);
    // filter_path keeps the answer to what is checked: a full answer repeats each item's index and id.
    this.#url = joinUrl(options.target.url, '_bulk', 'filter_path=errors,items.*.status,items.*.error');
    this.#document = createEcsDocument(options.labels);
    this.#actionPrefix = `{"${options.action}":{"_index":${JSON.stringify(options.index)},"_id":"`;
  }

  /** The bulk body, in `writer`'s buffer: valid until its next use. */
  body(batch: RecordSlice[], writer: BodyWriter): Buffer {
    writer.reset();
    for (const { block, from, to } of batch) {
      for (let i = from; i < to; i++) {
        writer.text(`${this.#actionPrefix}${block.id(i)}"}}\n`);
        this.#document(block, i, writer);
        writer.text('\n');
      }
    }
    return writer.bytes;
  }

  async send(records: RecordSlice[], signal: AbortSignal): Promise<SendOutcome> {
    const { gzip, timeoutMs } = this.#options;
    let answer: HttpAnswer;
    try {
      answer = await this.#requests.post(this.#url, (writer) => this.body(records, writer), {
        contentType: 'application/x-ndjson',
        timeoutMs,
        gzip,
        maxResponseBytes: 64 * 1024 * 1024,
        signal,
      });
    } catch (error) {
      return outcomeOfError(records, error);
    }
    if (classifyStatus(answer.status) !== 'ok') return outcomeOfAnswer(records, answer);
    let parsed: BulkAnswer;
    try {
      parsed = JSON.parse(answer.body) as BulkAnswer;
    } catch {
      return {
        delivered: [],
        retry: records,
        dropped: [],
        problem: `unreadable _bulk answer: ${excerpt(answer.body)}`,
      };
    }
    return parsed.errors ? this.#checkItems(records, parsed.items ?? []) : deliverAll(records);
  }

  #checkItems(batch: RecordSlice[], items: Record<string, BulkItemResult>[]): SendOutcome {
    const delivered = new SliceList();
    const retry = new SliceList();
    const dropped = new SliceList();
    let problem: string | undefined;
    let index = 0;
    for (const { block, from, to } of batch) {
      for (let i = from; i < to; i++, index++) {
        const item = items[index] ? Object.values(items[index]!)[0] : undefined;
        const status = item?.status ?? 0;
        // 409 on create: a document with this id exists, i.e. this record was delivered before.
        if (classifyStatus(status) === 'ok' || (status === 409 && this.#options.action === 'create')) {
          delivered.add(block, i);
          continue;
        }
        (status === 0 || classifyStatus(status) === 'retry' ? retry : dropped).add(block, i);
        problem ??=
          `_bulk item ${status || 'missing'}: ${item?.error?.type ?? ''} ${item?.error?.reason ?? ''}`.trim();
      }
    }
    return {
      delivered: delivered.slices,
      retry: retry.slices,
      dropped: dropped.slices,
      ...(problem ? { problem } : {}),
    };
  }

  close(): void {
    this.#requests.close();
  }
}
