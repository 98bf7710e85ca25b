import { createTimeFormatter, type LogSource, type RecordBlock, sharedStream } from '../records/record.ts';
import type { BodyWriter } from './body-writer.ts';

/** Writes the document of record `i` of a block into a body. */
export type DocumentWriter = (block: RecordBlock, i: number, writer: BodyWriter) => void;

/** Keys the JSON document (HTTP sink, stdout as JSON) writes itself: no label may have one's name. */
export const jsonDocumentKeys: readonly string[] = ['timestamp', 'path', 'line'];
/** Keys the ECS document (Elasticsearch, OpenSearch) writes itself: no label may have one's name. */
export const ecsDocumentKeys: readonly string[] = ['@timestamp', 'message', 'log'];

/** `,"k":"v"` for each label: the tail every document of a run shares, made once. */
function labelsTail(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([key, value]) => `,${JSON.stringify(key)}:${JSON.stringify(value)}`)
    .join('');
}

/** Remembers the bytes before (or after) the line for the last block: its records share them. */
function createPrefixCache(make: (iso: string, source: LogSource) => string): (block: RecordBlock) => Buffer {
  const time = createTimeFormatter();
  let last: RecordBlock | undefined;
  let prefix = Buffer.alloc(0);
  return (block) => {
    if (block !== last) {
      last = block;
      prefix = Buffer.from(make(time(block.time), block.source));
    }
    return prefix;
  };
}

/** Writes the documents of records `from` to `to` of a block into a body, each followed by a newline. */
export type LinesWriter = (block: RecordBlock, from: number, to: number, writer: BodyWriter) => void;

/** What comes before the line in a JSON document: the same for every record of a block. */
const jsonPrefix = (iso: string, source: LogSource) =>
  `{"timestamp":"${iso}","path":${source.pathJson},"line":`;

/** Whether `fields` has one of `keys` as its own property. */
function setsAny(fields: Record<string, unknown>, keys: readonly string[]): boolean {
  for (const key of keys) if (Object.hasOwn(fields, key)) return true;
  return false;
}

/** Keys a JSON document made from an object lists first, whatever their place: array indices. */
const arrayIndex = /^(?:0|[1-9]\d{0,9})$/;

/**
 * The start of the JSON document of a record whose fields are only its stream (`{"stream":"stdout"`,
 * the labels, `,"timestamp":"`), as JSON.stringify writes it from the object spread in
 * createJsonDocument; undefined when a label would move a key (it is named stream, timestamp, path
 * or line, or is an array index), and the object is made.
 */
function createStreamHeads(labels: Record<string, string>): Record<'stdout' | 'stderr', Buffer> | undefined {
  const moves = (key: string) =>
    key === 'stream' || key === 'timestamp' || key === 'path' || key === 'line' || arrayIndex.test(key);
  if (Object.keys(labels).some(moves)) return undefined;
  const head = (stream: string) => Buffer.from(`{"stream":"${stream}"${labelsTail(labels)},"timestamp":"`);
  return { stdout: head('stdout'), stderr: head('stderr') };
}

/**
 * The JSON document of a record for the HTTP and stdout sinks: `timestamp`, `path`, `line`, the static
 * labels, and parsed fields (which never replace the first three or a label).
 */
export function createJsonDocument(labels: Record<string, string>): DocumentWriter {
  const tail = Buffer.from(`${labelsTail(labels)}}`);
  const time = createTimeFormatter();
  const prefix = createPrefixCache(jsonPrefix);
  const streamHeads = createStreamHeads(labels);
  const afterTime = createPrefixCache((_iso, source) => `","path":${source.pathJson},"line":`);
  const close = Buffer.from('}');
  // Labels named as an array index, or as a key the document sets after them, move keys.
  const labelsKeepOrder = !Object.keys(labels).some(
    (key) => arrayIndex.test(key) || key === 'timestamp' || key === 'path' || key === 'line',
  );
  /** The keys a field must not have for the document to be written from its fields' JSON. */
  const labelKeys = [...Object.keys(labels), ...jsonDocumentKeys];
  const afterFields = Buffer.from(`${labelsTail(labels)},"timestamp":"`);
  const afterFieldsNone = Buffer.from(
    `${labelsTail(labels).slice(1)}${Object.keys(labels).length > 0 ? ',' : ''}"timestamp":"`,
  );
  return (block, i, writer) => {
    const fields = block.fields?.[i];
    const stream = fields && streamHeads && sharedStream(fields);
    if (stream) {
      // A container record whose only field is its stream: the bytes of the document below, with no
      // object made for it.
      writer.constant(streamHeads![stream]);
      writer.text(time(block.timeMs(i)));
      writer.constant(afterTime(block));
      writer.jsonLine(block, i);
      writer.constant(close);
      return;
    }
    if (fields) {
      if (labelsKeepOrder && !setsAny(fields, labelKeys)) {
        // No field is one the document sets: the fields as JSON.stringify writes them, then the rest
        // as bytes, in the order of the object below, and the line not escaped a second time.
        const json = JSON.stringify(fields);
        writer.text(json.length === 2 ? '{' : json.slice(0, -1));
        writer.constant(json.length === 2 ? afterFieldsNone : afterFields);
        writer.text(time(block.timeMs(i)));
        writer.constant(afterTime(block));
        writer.jsonLine(block, i);
        writer.constant(close);
        return;
      }
      const document = {
        ...fields,
        ...labels,
        timestamp: time(block.timeMs(i)),
        path: block.source.path,
        line: block.text(i),
      };
      writer.text(JSON.stringify(document));
      return;
    }
    // Records with the time of their event each have their own prefix.
    if (block.eventMs) writer.text(jsonPrefix(time(block.timeMs(i)), block.source));
    else writer.constant(prefix(block));
    writer.jsonLine(block, i);
    writer.constant(tail);
  };
}

/**
 * The documents of createJsonDocument one per line (NDJSON): a block without parsed fields is written
 * in one call, the bytes before and after each line shared by the block's records.
 */
export function createJsonLines(labels: Record<string, string>): LinesWriter {
  const document = createJsonDocument(labels);
  const after = Buffer.from(`${labelsTail(labels)}}\n`);
  const newline = Buffer.from('\n');
  const prefix = createPrefixCache(jsonPrefix);
  return (block, from, to, writer) => {
    if (block.fields === undefined && block.eventMs === undefined) {
      writer.jsonLines(block, from, to, prefix(block), after);
      return;
    }
    for (let i = from; i < to; i++) {
      document(block, i, writer);
      writer.constant(newline);
    }
  };
}

/** The document for Elasticsearch and OpenSearch, with ECS names: `@timestamp`, `message`, `log.file.path`. */
export function createEcsDocument(labels: Record<string, string>): DocumentWriter {
  const tail = labelsTail(labels);
  const time = createTimeFormatter();
  const prefix = createPrefixCache((iso) => `{"@timestamp":"${iso}","message":`);
  const suffix = createPrefixCache((_iso, source) => `,"log":{"file":{"path":${source.pathJson}}}${tail}}`);
  return (block, i, writer) => {
    const fields = block.fields?.[i];
    if (fields) {
      const document = {
        ...fields,
        ...labels,
        '@timestamp': time(block.timeMs(i)),
        message: block.text(i),
        log: { file: { path: block.source.path } },
      };
      writer.text(JSON.stringify(document));
      return;
    }
    if (block.eventMs) writer.text(`{"@timestamp":"${time(block.timeMs(i))}","message":`);
    else writer.constant(prefix(block));
    writer.jsonLine(block, i);
    writer.constant(suffix(block));
  };
}
