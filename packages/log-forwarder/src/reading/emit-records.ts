import type { PooledBuffer } from '../records/ack-ledger.ts';
import { RecordBlock, recordOverhead, streamFields } from '../records/record.ts';
import type { MessageHandler } from './container-lines.ts';
import type { LineHandler } from './line-splitter.ts';
import type { TailerEnvironment } from './tailer-environment.ts';
import type { TrackedFile } from './tracked-file.ts';

/** What `emitRecords` did: the lines it saw, and whether the records keep the pooled read buffer. */
export interface Emitted {
  lines: number;
  kept: boolean;
}

/**
 * Runs `produce` to get the lines of `file` as records and hands them to the sinks in blocks no
 * bigger than a batch: a batch then holds whole blocks, and its acknowledgement commits exactly its
 * records (after a crash only the batch in flight is sent again). Lines in `data` are kept as bytes
 * in it when no rule changes them; other lines (decoded, joined, shaped, or spanning two reads) as
 * strings. When `pooled` is given
 * (`data` is that pooled buffer) and records are kept in it, the buffer goes with them and comes back
 * to the pool once every sink has them. Nothing is dispatched when nothing new was read.
 */
export function emitRecords(
  file: TrackedFile,
  env: TailerEnvironment,
  produce: (onLine: LineHandler, onText: MessageHandler) => void,
  data?: Buffer,
  pooled?: Buffer,
): Emitted {
  const shared: PooledBuffer | undefined = pooled ? { buffer: pooled, blocks: 0 } : undefined;
  const { maxRecords, maxBytes } = env.blockLimits;
  const time = Date.now();
  const shaper = env.shaper;
  const joiner = file.joiner;
  const decoder = file.decoder;
  // Made when a record comes for it, so a read that ends a block makes no empty one after it.
  let block: RecordBlock | undefined;
  let bytes = 0;
  let inData = false;
  let lastEnd = file.sentEnd;
  let lines = 0;
  const create = () => new RecordBlock(file.source, time, file.ledger.createSegment(), data);
  const seal = (end: number) => {
    const sealed = block ?? create();
    if (inData && shared) {
      shared.blocks++;
      sealed.segment.pooled = shared;
    }
    file.sentEnd = end;
    sealed.bytes = bytes;
    env.dispatch(sealed, end);
    block = undefined;
    bytes = 0;
    inData = false;
  };
  /** The block the next record goes in: a new one when the current one is full. */
  const current = (): RecordBlock => {
    if (block !== undefined && block.count < maxRecords && bytes < maxBytes) return block;
    if (block !== undefined) seal(lastEnd);
    block = create();
    return block;
  };
  const onText: MessageHandler = (text, start, end, meta) => {
    if (shaper === undefined) {
      current().addText(text, start, meta ? streamFields(meta.stream) : undefined, meta?.time);
    } else if (shaper.shape(text, meta)) current().addText(shaper.text, start, shaper.fields, shaper.time);
    else return;
    bytes += text.length + recordOverhead;
    lastEnd = end;
  };
  // Container lines are decoded, then joined: a stack trace spans several messages.
  const onMessage: MessageHandler = joiner
    ? (text, start, end, meta) => joiner.push(text, start, end, onText, meta)
    : onText;
  const onLine: LineHandler = (source, from, to, start, end) => {
    lines++;
    if (decoder) decoder.push(source.toString('utf8', from, to), start, end, onMessage);
    else if (joiner) joiner.push(source.toString('utf8', from, to), start, end, onText);
    else if (shaper || source !== data) onText(source.toString('utf8', from, to), start, end, undefined);
    else {
      current().addBytes(from, to, start);
      bytes += to - from + recordOverhead;
      inData = true;
      lastEnd = end;
    }
  };
  produce(onLine, onText);
  const end = file.safeOffset;
  if ((block !== undefined && block.count > 0) || end > file.sentEnd) seal(end);
  return { lines, kept: shared !== undefined && shared.blocks > 0 };
}

/** Turns what a file still holds (a partial line, a multiline record) into records: the file ends here. */
export function flushHeld(file: TrackedFile, env: TailerEnvironment): number {
  return emitRecords(file, env, (onLine, onText) => {
    file.splitter.flush(file.readOffset, onLine);
    flushPartial(file, onText);
    file.joiner?.flush(onText);
  }).lines;
}

/** Sends the partial container lines `file` holds as one message, through its joiner when it has one. */
export function flushPartial(file: TrackedFile, onText: MessageHandler): void {
  const joiner = file.joiner;
  file.decoder?.flush(
    joiner ? (text, start, end, meta) => joiner.push(text, start, end, onText, meta) : onText,
  );
}
