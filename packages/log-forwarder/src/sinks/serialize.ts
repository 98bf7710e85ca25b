import { createTimeFormatter, type LogSource, type RecordBlock } from '../record.ts';
import type { BodyWriter } from './body-writer.ts';

/** Writes the document of record `i` of a block into a body. */
export type DocumentWriter = (block: RecordBlock, i: number, writer: BodyWriter) => void;

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

/**
 * The JSON document of a record for the HTTP and stdout sinks: `timestamp`, `path`, `line`, the static
 * labels, and parsed fields (which never replace the first three or a label).
 */
export function createJsonDocument(labels: Record<string, string>): DocumentWriter {
  const tail = Buffer.from(`${labelsTail(labels)}}`);
  const time = createTimeFormatter();
  const prefix = createPrefixCache(
    (iso, source) => `{"timestamp":"${iso}","path":${source.pathJson},"line":`,
  );
  return (block, i, writer) => {
    const fields = block.fields?.[i];
    if (fields) {
      const document = {
        ...fields,
        ...labels,
        timestamp: time(block.time),
        path: block.source.path,
        line: block.text(i),
      };
      writer.text(JSON.stringify(document));
      return;
    }
    writer.constant(prefix(block));
    writer.jsonLine(block, i);
    writer.constant(tail);
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
        '@timestamp': time(block.time),
        message: block.text(i),
        log: { file: { path: block.source.path } },
      };
      writer.text(JSON.stringify(document));
      return;
    }
    writer.constant(prefix(block));
    writer.jsonLine(block, i);
    writer.constant(suffix(block));
  };
}
