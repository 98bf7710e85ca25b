import type { RecordBlock } from '../record.ts';

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
 * Builds a request body as bytes in one buffer kept from batch to batch, so a batch costs no
 * per-line strings beyond the lines themselves (and memory stays flat at high rates). A sink owns one
 * writer and sends one batch at a time: the bytes are read before the next batch is written.
 */
export class BodyWriter {
  #buffer = Buffer.allocUnsafe(1 << 20);
  #length = 0;

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
  }

  /** Appends text as UTF-8 (a UTF-16 unit takes at most 3 bytes). */
  text(text: string): void {
    this.#reserve(text.length * 3);
    this.#length += this.#buffer.write(text, this.#length);
  }

  /** Appends bytes as they are. */
  raw(data: Uint8Array, from: number, to: number): void {
    this.#reserve(to - from);
    // A loop, not Buffer#copy: copy makes a view object per call, which at a call per line is most
    // of what the garbage collector would have to do.
    const buffer = this.#buffer;
    let length = this.#length;
    for (let at = from; at < to; at++) buffer[length++] = data[at]!;
    this.#length = length;
  }

  /** Appends bytes made once (a prefix or suffix shared by many documents). */
  constant(bytes: Uint8Array): void {
    this.raw(bytes, 0, bytes.length);
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
   * Appends UTF-8 bytes as a JSON string literal, escaping as it copies: no string is made for a line
   * of ASCII (most log lines, quotes and all). A line with other bytes goes through JSON.stringify,
   * which also turns invalid UTF-8 into replacement characters.
   */
  jsonBytes(data: Buffer, from: number, to: number): void {
    // Six bytes per byte at worst (\u001f), plus the quotes.
    this.#reserve((to - from) * 6 + 2);
    const buffer = this.#buffer;
    let length = this.#length;
    buffer[length++] = 34;
    for (let at = from; at < to; at++) {
      const byte = data[at]!;
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
