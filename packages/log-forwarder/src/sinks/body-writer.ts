import type { RecordBlock } from '../records/record.ts';

/** Characters a JSON string cannot hold as they are: quote, backslash, controls, lone surrogates. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what JSON must escape.
const needsEscape = /["\\\u0000-\u001f\ud800-\udfff]/;

/** `\b \t \n \f \r` by control byte; the other controls are written as `\u00XX`. */
const shortEscapes: (number | undefined)[] = [];
shortEscapes[8] = 0x62;
shortEscapes[9] = 0x74;
shortEscapes[10] = 0x6e;
shortEscapes[12] = 0x66;
shortEscapes[13] = 0x72;
const hexDigits = Buffer.from('0123456789abcdef');

/**
 * Whether one of the four bytes of `word` needs more than a copy into a JSON string: below 0x20, a
 * quote (0x22), a backslash (0x5c) or past ASCII (0x80 and up). The usual tests for a byte below n
 * and for a zero byte, on 32 bits (exact as yes or no, whichever byte it is).
 */
function needsEscapeIn(word: number): boolean {
  const quote = word ^ 0x22222222;
  const backslash = word ^ 0x5c5c5c5c;
  return (
    ((((word - 0x20202020) & ~word) |
      word |
      ((quote - 0x01010101) & ~quote) |
      ((backslash - 0x01010101) & ~backslash)) &
      0x80808080) !==
    0
  );
}

/** A DataView per buffer, remembered for the last one: the records of a block share their buffer. */
let lastData: Buffer | undefined;
let lastView: DataView | undefined;
function viewOf(data: Buffer): DataView {
  if (data !== lastData) {
    lastData = data;
    lastView = new DataView(data.buffer, data.byteOffset, data.length);
  }
  return lastView!;
}

/**
 * Builds a request body as bytes in one buffer kept from batch to batch, so a batch costs no
 * per-line strings beyond the lines themselves (and memory stays flat at high rates). A request owns
 * its writer until it is answered (see BodyWriters).
 */
export class BodyWriter {
  #buffer: Buffer;
  #view: DataView;
  #length = 0;

  /** `initialBytes`: a body's usual size (it grows as needed); small for bytes encoded once. */
  constructor(initialBytes = 1 << 20) {
    this.#buffer = Buffer.allocUnsafe(initialBytes);
    this.#view = new DataView(this.#buffer.buffer, this.#buffer.byteOffset, this.#buffer.length);
  }

  reset(): void {
    this.#length = 0;
  }

  get bytes(): Buffer {
    return this.#buffer.subarray(0, this.#length);
  }

  #reserve(bytes: number): void {
    if (this.#length + bytes <= this.#buffer.length) return;
    let size = this.#buffer.length * 2;
    while (size < this.#length + bytes) size *= 2;
    const larger = Buffer.allocUnsafe(size);
    this.#buffer.copy(larger, 0, 0, this.#length);
    this.#buffer = larger;
    this.#view = new DataView(larger.buffer, larger.byteOffset, larger.length);
  }

  /** Appends text as UTF-8 (a UTF-16 unit takes at most 3 bytes). */
  text(text: string): void {
    this.#reserve(text.length * 3);
    this.#length += this.#buffer.write(text, this.#length);
  }

  /** Appends bytes as they are. */
  raw(data: Buffer, from: number, to: number): void {
    this.#reserve(to - from);
    // A native copy costs about what a loop copying 20 bytes does; shorter runs take the loop.
    if (to - from >= 24) {
      this.#length += data.copy(this.#buffer, this.#length, from, to);
      return;
    }
    const buffer = this.#buffer;
    let length = this.#length;
    for (let at = from; at < to; at++) buffer[length++] = data[at]!;
    this.#length = length;
  }

  /** Appends bytes made once (a prefix or suffix shared by many documents). */
  constant(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#buffer.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  /** Appends the line of record `i` as it is (stdout). */
  line(block: RecordBlock, i: number): void {
    const text = block.texts?.[i];
    if (text === undefined) this.raw(block.data!, block.starts[i]!, block.ends[i]!);
    else this.text(text);
  }

  /** Appends the line of record `i` as a JSON string literal. */
  jsonLine(block: RecordBlock, i: number): void {
    const text = block.texts?.[i];
    if (text === undefined) this.jsonBytes(block.data!, block.starts[i]!, block.ends[i]!);
    else this.jsonString(text);
  }

  /**
   * Appends, for each record `from` to `to` of a block, `before`, its line as a JSON string literal
   * and `after`: the documents of a block in one call (NDJSON).
   */
  jsonLines(block: RecordBlock, from: number, to: number, before: Uint8Array, after: Uint8Array): void {
    const { texts, starts, ends } = block;
    const data = block.data!;
    for (let i = from; i < to; i++) {
      this.constant(before);
      const text = texts?.[i];
      if (text === undefined) this.jsonBytes(data, starts[i]!, ends[i]!);
      else this.jsonString(text);
      this.constant(after);
    }
  }

  /**
   * Appends UTF-8 bytes as a JSON string literal, escaping as it copies: no string is made for a line
   * of ASCII (most log lines, quotes and all). Four bytes at a time are tested for a byte that needs
   * more than a copy (a control, a quote, a backslash, a byte past ASCII) and copied whole when none
   * does. A line with bytes past ASCII goes through JSON.stringify, which also turns invalid UTF-8
   * into replacement characters.
   */
  jsonBytes(data: Buffer, from: number, to: number): void {
    // Six bytes per byte at worst (\u001f), plus the quotes.
    this.#reserve((to - from) * 6 + 2);
    const buffer = this.#buffer;
    const out = this.#view;
    const source = viewOf(data);
    let length = this.#length;
    buffer[length++] = 34;
    let at = from;
    for (;;) {
      for (const last = to - 4; at <= last; at += 4, length += 4) {
        const word = source.getInt32(at, true);
        if (needsEscapeIn(word)) break;
        out.setInt32(length, word, true);
      }
      if (at >= to) break;
      const byte = data[at++]!;
      if (byte >= 0x20 && byte < 0x7f) {
        if (byte === 0x22 || byte === 0x5c) buffer[length++] = 0x5c;
        buffer[length++] = byte;
      } else if (byte < 0x20) {
        buffer[length++] = 0x5c;
        const short = shortEscapes[byte];
        if (short !== undefined) buffer[length++] = short;
        else {
          buffer[length++] = 0x75; // u00XX
          buffer[length++] = 0x30;
          buffer[length++] = 0x30;
          buffer[length++] = hexDigits[byte >> 4]!;
          buffer[length++] = hexDigits[byte & 15]!;
        }
      } else if (byte === 0x7f) {
        buffer[length++] = byte;
      } else {
        this.text(JSON.stringify(data.toString('utf8', from, to)));
        return;
      }
    }
    buffer[length++] = 34;
    this.#length = length;
  }

  // Protocol Buffers: what the OTLP encoder needs, written straight into the body like the JSON.

  /** Bytes written so far: where a length-delimited field's content starts (see `lengthPrefix`). */
  get length(): number {
    return this.#length;
  }

  /** Appends one byte (a field tag below 128). */
  byte(value: number): void {
    this.#reserve(1);
    this.#buffer[this.#length++] = value;
  }

  /** Appends an unsigned varint (up to 2^53). */
  varint(value: number): void {
    this.#reserve(10);
    const buffer = this.#buffer;
    let length = this.#length;
    while (value >= 0x80) {
      buffer[length++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    buffer[length++] = value;
    this.#length = length;
  }

  /** Appends a little-endian double (an OTLP double value). */
  double(value: number): void {
    this.#reserve(8);
    this.#length = this.#buffer.writeDoubleLE(value, this.#length);
  }

  /**
   * Makes the bytes written since `start` a length-delimited field: moves them up by the size of their
   * length as a varint and writes it in front. The content is written first because its size is known
   * only then; the move is one memmove, of a few bytes for a field and the batch once for the outer messages.
   */
  lengthPrefix(start: number): void {
    const size = this.#length - start;
    let prefix = 1;
    for (let rest = size; rest >= 0x80; rest = Math.floor(rest / 0x80)) prefix++;
    this.#reserve(prefix);
    this.#buffer.copyWithin(start + prefix, start, this.#length);
    const end = this.#length + prefix;
    this.#length = start;
    this.varint(size);
    this.#length = end;
  }

  /** Appends a string as a JSON string literal; most lines need no escaping and are copied as they are. */
  jsonString(text: string): void {
    if (needsEscape.test(text)) {
      this.text(JSON.stringify(text));
      return;
    }
    this.#reserve(text.length * 3 + 2);
    this.#buffer[this.#length++] = 34;
    this.#length += this.#buffer.write(text, this.#length);
    this.#buffer[this.#length++] = 34;
  }
}

/**
 * The body writers of one sink: a request keeps its writer while its body is being sent (the bytes
 * must stay unchanged until the kernel has them), so there are as many as bodies being sent at once,
 * usually one or two however many requests wait for their answers.
 */
export class BodyWriters {
  readonly #free: BodyWriter[] = [];

  /** A writer, and the function that gives it back (once; later calls do nothing). */
  take(): { writer: BodyWriter; release: () => void } {
    const writer = this.#free.pop() ?? new BodyWriter();
    let taken = true;
    const release = () => {
      if (!taken) return;
      taken = false;
      this.#free.push(writer);
    };
    return { writer, release };
  }
}
