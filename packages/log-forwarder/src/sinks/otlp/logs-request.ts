import { isUtf8 } from 'node:buffer';
import { basename } from 'node:path';
import type { LogSource, RecordBlock, RecordSlice } from '../../records/record.ts';
import { BodyWriter } from '../body-writer.ts';
import { attributesJson, writeAttributes, writeStringField } from './any-value.ts';
import { severityOf } from './severity.ts';

/** Writes an ExportLogsServiceRequest for a batch into a body writer; returns the body. */
export type LogsRequestWriter = (batch: readonly RecordSlice[], writer: BodyWriter) => Buffer;

export interface LogsRequestOptions {
  /** Resource attributes (the static labels). */
  resource: Record<string, string>;
  scope: { name: string; version: string };
}

/** Nanoseconds since 1970 from Unix milliseconds (which may have a fraction). */
export function nanoseconds(ms: number): bigint {
  const whole = Math.floor(ms);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6));
}

/** A fixed64 field's 8 bytes. */
function fixed64(value: bigint): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(value);
  return bytes;
}

/** The time taken from record `i`'s line (--time-key, --format) in nanoseconds; undefined when it has none. */
function eventNanoseconds(block: RecordBlock, i: number): bigint | undefined {
  const ms = block.eventMs?.[i];
  if (ms === undefined || Number.isNaN(ms)) return undefined;
  return nanoseconds(ms) + BigInt(block.eventNs![i]!);
}

/** Bytes of `value` as a varint. */
function varintSize(value: number): number {
  let size = 1;
  for (let rest = value; rest >= 0x80; rest = Math.floor(rest / 0x80)) size++;
  return size;
}

/** Remembers a value made from the last block (or time): the records of a block share it. */
function lastOf<K, V>(make: (key: K) => V): (key: K) => V {
  let lastKey: K | undefined;
  let last: V | undefined;
  return (key) => {
    if (key !== lastKey) {
      lastKey = key;
      last = make(key);
    }
    return last!;
  };
}

/** The attributes every record of a file carries, by the semantic conventions' names. */
function fileAttributes(path: string): Record<string, string> {
  return { 'log.file.path': path, 'log.file.name': basename(path) };
}

// Protobuf field tags of opentelemetry/proto/logs/v1/logs.proto and collector/logs/v1/logs_service.proto.
const tags = {
  resourceLogs: 0x0a, // ExportLogsServiceRequest.resource_logs = 1
  resource: 0x0a, // ResourceLogs.resource = 1
  scopeLogs: 0x12, // ResourceLogs.scope_logs = 2
  resourceAttributes: 0x0a, // Resource.attributes = 1
  scope: 0x0a, // ScopeLogs.scope = 1
  logRecords: 0x12, // ScopeLogs.log_records = 2
  scopeName: 0x0a, // InstrumentationScope.name = 1
  scopeVersion: 0x12, // InstrumentationScope.version = 2
  time: 0x09, // LogRecord.time_unix_nano = 1, fixed64
  severityNumber: 0x10, // LogRecord.severity_number = 2
  severityText: 0x1a, // LogRecord.severity_text = 3
  body: 0x2a, // LogRecord.body = 5
  attributes: 0x32, // LogRecord.attributes = 6
  observedTime: 0x59, // LogRecord.observed_time_unix_nano = 11, fixed64
  stringValue: 0x0a, // AnyValue.string_value = 1
} as const;

/** Bytes made once with a writer of their own (the resource and scope, a file's attributes). */
function encodeOnce(write: (writer: BodyWriter) => void): Buffer {
  const writer = new BodyWriter(256);
  write(writer);
  return Buffer.from(writer.bytes);
}

/**
 * OTLP/protobuf, written straight into the body buffer like the JSON sinks' bodies: a line held as
 * bytes is copied as it is (when it is valid UTF-8, as a protobuf string must be), the resource, the
 * scope and each file's attributes are encoded once, and no object is made per record. The one
 * ResourceLogs and ScopeLogs hold the whole batch.
 */
export function createProtobufLogs(options: LogsRequestOptions): LogsRequestWriter {
  const resourceAndScope = encodeOnce((writer) => {
    writer.byte(tags.resource);
    const resource = writer.length;
    writeAttributes(writer, tags.resourceAttributes, options.resource);
    writer.lengthPrefix(resource);
  });
  const scope = encodeOnce((writer) => {
    writer.byte(tags.scope);
    const start = writer.length;
    writeStringField(writer, tags.scopeName, options.scope.name);
    writeStringField(writer, tags.scopeVersion, options.scope.version);
    writer.lengthPrefix(start);
  });
  // Blocks are small (one read of a file each): what they share is remembered by file and by time.
  const fileAttributesOf = lastOf((source: LogSource) =>
    encodeOnce((writer) => writeAttributes(writer, tags.attributes, fileAttributes(source.path))),
  );
  // A record without a time of its own has the read time as its time too.
  const readTimeOf = lastOf((ms: number) => fixed64(nanoseconds(ms)));

  return (batch, writer) => {
    writer.reset();
    writer.byte(tags.resourceLogs);
    const resourceLogs = writer.length;
    writer.constant(resourceAndScope);
    writer.byte(tags.scopeLogs);
    const scopeLogs = writer.length;
    writer.constant(scope);
    for (const { block, from, to } of batch) {
      const { texts, starts, ends, data } = block;
      const observed = readTimeOf(block.time);
      const readTime = observed;
      const attributes = fileAttributesOf(block.source);
      // Lines held as bytes lie one after another: when they are valid UTF-8 together, each one is (a
      // newline never splits a character), so one check serves the slice.
      const sliceUtf8 = texts === undefined && isUtf8(data!.subarray(starts[from]!, ends[to - 1]!));
      for (let i = from; i < to; i++) {
        writer.byte(tags.logRecords);
        const record = writer.length;
        writer.byte(tags.time);
        const event = eventNanoseconds(block, i);
        writer.constant(event === undefined ? readTime : fixed64(event));
        writer.byte(tags.observedTime);
        writer.constant(observed);
        const fields = block.fields?.[i];
        const severity = fields && severityOf(fields);
        if (severity) {
          if (severity.number > 0) {
            writer.byte(tags.severityNumber);
            writer.varint(severity.number);
          }
          writeStringField(writer, tags.severityText, severity.text);
        }
        const text = texts?.[i];
        if (text === undefined && (sliceUtf8 || isUtf8(data!.subarray(starts[i]!, ends[i]!)))) {
          // The usual case, a line of valid UTF-8 held as bytes: its size is known, so the lengths
          // go first and the line is copied once.
          const size = ends[i]! - starts[i]!;
          writer.byte(tags.body);
          writer.varint(1 + varintSize(size) + size);
          writer.byte(tags.stringValue);
          writer.varint(size);
          writer.raw(data!, starts[i]!, ends[i]!);
        } else {
          writer.byte(tags.body);
          const body = writer.length;
          writeStringField(writer, tags.stringValue, text ?? data!.toString('utf8', starts[i]!, ends[i]!));
          writer.lengthPrefix(body);
        }
        writer.constant(attributes);
        if (fields) writeAttributes(writer, tags.attributes, fields);
        writer.lengthPrefix(record);
      }
    }
    writer.lengthPrefix(scopeLogs);
    writer.lengthPrefix(resourceLogs);
    return writer.bytes;
  };
}

/**
 * OTLP/JSON, as the OpenTelemetry protocol specification maps it: lowerCamelCase names, enums as
 * numbers, 64-bit integers (the times) as decimal strings.
 */
export function createJsonLogs(options: LogsRequestOptions): LogsRequestWriter {
  const head = Buffer.from(
    `{"resourceLogs":[{"resource":{"attributes":${attributesJson(options.resource)}},"scopeLogs":[{"scope":${JSON.stringify(options.scope)},"logRecords":[`,
  );
  const tail = Buffer.from(']}]}]}');
  const observedOf = lastOf((ms: number) => `,"observedTimeUnixNano":"${nanoseconds(ms)}"`);
  const fileAttributesOf = lastOf((source: LogSource) => attributesJson(fileAttributes(source.path)));
  const readTimeOf = lastOf((ms: number) => `{"timeUnixNano":"${nanoseconds(ms)}"`);

  return (batch, writer) => {
    writer.reset();
    writer.constant(head);
    let first = true;
    for (const { block, from, to } of batch) {
      const observed = observedOf(block.time);
      const readTime = readTimeOf(block.time);
      const attributes = fileAttributesOf(block.source);
      for (let i = from; i < to; i++) {
        if (!first) writer.text(',');
        first = false;
        const event = eventNanoseconds(block, i);
        writer.text(event === undefined ? readTime : `{"timeUnixNano":"${event}"`);
        writer.text(observed);
        const fields = block.fields?.[i];
        const severity = fields && severityOf(fields);
        if (severity) {
          if (severity.number > 0) writer.text(`,"severityNumber":${severity.number}`);
          writer.text(`,"severityText":${JSON.stringify(severity.text)}`);
        }
        writer.text(',"body":{"stringValue":');
        writer.jsonLine(block, i);
        writer.text('},"attributes":');
        const parsed = fields ? attributesJson(fields) : '[]';
        writer.text(parsed === '[]' ? attributes : `${attributes.slice(0, -1)},${parsed.slice(1)}`);
        writer.text('}');
      }
    }
    writer.constant(tail);
    return writer.bytes;
  };
}
