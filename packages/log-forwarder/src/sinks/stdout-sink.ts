import { write } from 'node:fs';
import { promisify } from 'node:util';
import type { RecordSlice } from '../records/record.ts';
import { BodyWriter } from './body-writer.ts';
import { createJsonDocument, type DocumentWriter } from './serialize.ts';
import { deliverAll, dropAll, retryAll, type SendOutcome, type Sink } from './sink.ts';

const writeAsync = promisify(write);

/**
 * Writes records to a descriptor (stdout), one per line: the line as it is, or the JSON record. Writes
 * go through the thread pool, so a slow reader of the pipe holds the batch (and, through the memory
 * budget, reading) without blocking the event loop; the forwarder's own logs stay on stderr.
 */
export class StdoutSink implements Sink {
  readonly name = 'stdout';
  readonly maxInFlight = 1;
  readonly #fd: number;
  readonly #format: DocumentWriter;
  readonly #writer = new BodyWriter();

  constructor(format: 'line' | 'json', labels: Record<string, string>, fd = 1) {
    this.#fd = fd;
    const json = createJsonDocument(labels);
    this.#format = format === 'json' ? json : (block, i, writer) => writer.line(block, i);
  }

  async send(records: RecordSlice[], signal: AbortSignal): Promise<SendOutcome> {
    const writer = this.#writer;
    writer.reset();
    for (const { block, from, to } of records) {
      for (let i = from; i < to; i++) {
        this.#format(block, i, writer);
        writer.text('\n');
      }
    }
    const bytes = writer.bytes;
    let written = 0;
    while (written < bytes.length) {
      try {
        const { bytesWritten } = await writeAsync(this.#fd, bytes, written, bytes.length - written);
        written += bytesWritten;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // Nobody reads stdout any more: waiting would stall the other sinks for nothing.
        if (code === 'EPIPE') return dropAll(records, 'stdout is closed (EPIPE)');
        if (code !== 'EAGAIN')
          return retryAll(records, `cannot write to stdout: ${(error as Error).message}`);
        // A non-blocking pipe that is full: wait for the reader, unless shutdown gave up on us.
        if (signal.aborted) return retryAll(records, 'stdout still full at the shutdown deadline');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    return deliverAll(records);
  }

  close(): void {}
}
