import type { BodyWriter } from '../body-writer.ts';

// OTLP's AnyValue for a parsed field, in both encodings: strings, booleans, integers, doubles, arrays
// and maps keep their type (a JSON line's nested object becomes a kvlist), null an empty AnyValue.

/** Protobuf tags: (field number << 3) | wire type (0 varint, 1 fixed64, 2 length-delimited). */
const tag = {
  string: 0x0a,
  bool: 0x10,
  int: 0x18,
  double: 0x21,
  array: 0x2a,
  kvlist: 0x32,
  /** KeyValue.key, ArrayValue.values and KeyValueList.values are all field 1. */
  first: 0x0a,
  /** KeyValue.value. */
  value: 0x12,
} as const;

/** Appends a length-delimited string field. */
export function writeStringField(writer: BodyWriter, fieldTag: number, text: string): void {
  writer.byte(fieldTag);
  const start = writer.length;
  writer.text(text);
  writer.lengthPrefix(start);
}

/** Appends the content of an AnyValue message (without its own tag and length). */
export function writeAnyValue(writer: BodyWriter, value: unknown): void {
  switch (typeof value) {
    case 'string':
      writeStringField(writer, tag.string, value);
      return;
    case 'boolean':
      writer.byte(tag.bool);
      writer.byte(value ? 1 : 0);
      return;
    case 'number':
      if (Number.isSafeInteger(value)) {
        writer.byte(tag.int);
        if (value >= 0) writer.varint(value);
        else writeNegativeVarint(writer, value);
      } else {
        writer.byte(tag.double);
        writer.double(value);
      }
      return;
    case 'object': {
      if (value === null) return;
      const start = (fieldTag: number) => {
        writer.byte(fieldTag);
        return writer.length;
      };
      if (Array.isArray(value)) {
        const array = start(tag.array);
        for (const item of value) {
          const at = start(tag.first);
          writeAnyValue(writer, item);
          writer.lengthPrefix(at);
        }
        writer.lengthPrefix(array);
        return;
      }
      const list = start(tag.kvlist);
      writeAttributes(writer, tag.first, value as Record<string, unknown>);
      writer.lengthPrefix(list);
      return;
    }
    default:
      // undefined, a function, a bigint: not from a parsed line; written as its text.
      if (value !== undefined) writeStringField(writer, tag.string, String(value));
  }
}

/** An int64 below zero: ten bytes of two's complement, as protobuf writes it. */
function writeNegativeVarint(writer: BodyWriter, value: number): void {
  let rest = BigInt.asUintN(64, BigInt(value));
  while (rest >= 0x80n) {
    writer.byte(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  writer.byte(Number(rest));
}

/** Appends one KeyValue field (with tag `fieldTag`) per entry of `fields`. */
export function writeAttributes(writer: BodyWriter, fieldTag: number, fields: Record<string, unknown>): void {
  for (const key in fields) {
    const value = fields[key];
    if (value === undefined) continue;
    writer.byte(fieldTag);
    const pair = writer.length;
    writeStringField(writer, tag.first, key);
    writer.byte(tag.value);
    const at = writer.length;
    writeAnyValue(writer, value);
    writer.lengthPrefix(at);
    writer.lengthPrefix(pair);
  }
}

/** An AnyValue as OTLP/JSON: `{"stringValue":"…"}`, `{"intValue":"42"}` (64-bit integers as strings). */
export function anyValueJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return `{"stringValue":${JSON.stringify(value)}}`;
    case 'boolean':
      return `{"boolValue":${value}}`;
    case 'number':
      return Number.isSafeInteger(value) ? `{"intValue":"${value}"}` : `{"doubleValue":${value}}`;
    case 'object':
      if (value === null) return '{}';
      if (Array.isArray(value)) return `{"arrayValue":{"values":[${value.map(anyValueJson).join(',')}]}}`;
      return `{"kvlistValue":{"values":${attributesJson(value as Record<string, unknown>)}}}`;
    default:
      return value === undefined ? '{}' : `{"stringValue":${JSON.stringify(String(value))}}`;
  }
}

/** KeyValues as an OTLP/JSON array: `[{"key":"k","value":{…}},…]`. */
export function attributesJson(fields: Record<string, unknown>): string {
  const pairs: string[] = [];
  for (const key in fields) {
    const value = fields[key];
    if (value !== undefined) pairs.push(`{"key":${JSON.stringify(key)},"value":${anyValueJson(value)}}`);
  }
  return `[${pairs.join(',')}]`;
}
