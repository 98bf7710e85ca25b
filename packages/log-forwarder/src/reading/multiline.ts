import type { TextHandler } from './line-splitter.ts';

/**
 * Joins a record's lines: a line matching the start pattern begins a record, the lines after it that
 * do not match (a stack trace) are appended with `\n`. A record is sent when the next one starts, when
 * it reaches the size limit, or when `flush` is called after the timeout.
 */
export class MultilineJoiner {
  readonly #start: RegExp;
  readonly #maxBytes: number;
  #lines: string[] = [];
  #bytes = 0;
  #from = -1;
  #end = -1;

  constructor(start: RegExp, maxBytes: number) {
    this.#start = start;
    this.#maxBytes = maxBytes;
  }

  /** Offset of the first line held, or undefined when nothing is. */
  get heldFrom(): number | undefined {
    return this.#from < 0 ? undefined : this.#from;
  }

  push(line: string, start: number, end: number, onRecord: TextHandler): void {
    if (
      this.#lines.length > 0 &&
      (this.#start.test(line) || this.#bytes + line.length + 1 > this.#maxBytes)
    ) {
      this.flush(onRecord);
    }
    if (this.#lines.length === 0) this.#from = start;
    this.#lines.push(line);
    this.#bytes += line.length + 1;
    this.#end = end;
  }

  flush(onRecord: TextHandler): void {
    if (this.#lines.length === 0) return;
    const text = this.#lines.length === 1 ? this.#lines[0]! : this.#lines.join('\n');
    const from = this.#from;
    const end = this.#end;
    this.reset();
    onRecord(text, from, end);
  }

  reset(): void {
    this.#lines = [];
    this.#bytes = 0;
    this.#from = -1;
    this.#end = -1;
  }
}
