/**
 * An ExportLogsServiceResponse's partial_success: the receiver took the request but rejected some of
 * its records (opentelemetry-proto collector/logs/v1/logs_service.proto). The spec says such records
 * must not be sent again, so the sink counts and logs them. Only two fields are read, so they are
 * decoded here rather than through a protobuf library the program does not otherwise need.
 */
export interface PartialSuccess {
  rejectedLogRecords: number;
  errorMessage: string;
}

/** The partial success an answer reports, or undefined when it reports none (or cannot be read). */
export function readPartialSuccess(bytes: Buffer, encoding: 'protobuf' | 'json'): PartialSuccess | undefined {
  const found = encoding === 'json' ? fromJson(bytes) : fromProtobuf(bytes);
  // An empty partial_success (no rejected records, no message) means full success, per the spec.
  if (!found || (found.rejectedLogRecords === 0 && found.errorMessage === '')) return undefined;
  return found;
}

function fromJson(bytes: Buffer): PartialSuccess | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  const partial = (
    parsed as { partialSuccess?: { rejectedLogRecords?: unknown; errorMessage?: unknown } } | null
  )?.partialSuccess;
  if (!partial || typeof partial !== 'object') return undefined;
  // int64 fields are strings in OTLP/JSON; a number is taken too.
  const rejected = Number(partial.rejectedLogRecords ?? 0);
  return {
    rejectedLogRecords: Number.isFinite(rejected) ? rejected : 0,
    errorMessage: typeof partial.errorMessage === 'string' ? partial.errorMessage : '',
  };
}

/** A protobuf reader over one buffer: varints and length-delimited fields, enough for this message. */
class Reader {
  offset = 0;
  readonly bytes: Buffer;

  constructor(bytes: Buffer) {
    this.bytes = bytes;
  }

  get done(): boolean {
    return this.offset >= this.bytes.length;
  }

  varint(): number {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      if (this.offset >= this.bytes.length || shift > 63) throw new Error('truncated varint');
      const byte = this.bytes[this.offset++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  }

  /** Skips or returns a field's value by its wire type. */
  field(wireType: number): number | Buffer {
    switch (wireType) {
      case 0:
        return this.varint();
      case 1:
        this.offset += 8;
        return 0;
      case 2: {
        const length = this.varint();
        const value = this.bytes.subarray(this.offset, this.offset + length);
        if (value.length !== length) throw new Error('truncated field');
        this.offset += length;
        return value;
      }
      case 5:
        this.offset += 4;
        return 0;
      default:
        throw new Error(`wire type ${wireType}`);
    }
  }
}

function fromProtobuf(bytes: Buffer): PartialSuccess | undefined {
  try {
    const response = new Reader(bytes);
    while (!response.done) {
      const tag = response.varint();
      const value = response.field(tag & 7);
      // field 1: ExportLogsPartialSuccess partial_success
      if (tag >>> 3 !== 1 || !Buffer.isBuffer(value)) continue;
      const partial = new Reader(value);
      const found: PartialSuccess = { rejectedLogRecords: 0, errorMessage: '' };
      while (!partial.done) {
        const inner = partial.varint();
        const field = partial.field(inner & 7);
        if (inner >>> 3 === 1 && typeof field === 'number') found.rejectedLogRecords = field;
        if (inner >>> 3 === 2 && Buffer.isBuffer(field)) found.errorMessage = field.toString('utf8');
      }
      return found;
    }
  } catch {
    // An answer that does not decode tells nothing about rejected records: the request was taken (2xx).
  }
  return undefined;
}
