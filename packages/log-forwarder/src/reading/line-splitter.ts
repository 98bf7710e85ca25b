/**
 * Receives a finished line: its bytes are `data[from..to)` (newline and a `\r` before it left out),
 * and it spans the file from `start` to `end` (the byte after its newline). `data` is the caller's
 * chunk or a buffer of the splitter's own; either may be kept (the splitter never writes to it again).
 */
export type LineHandler = (data: Buffer, from: number, to: number, start: number, end: number) => void;

export interface LineLimits {
  maxLineBytes: number;
  /** `truncate` sends the first maxLineBytes of a longer line, `skip` drops it whole. */
  longLines: 'truncate' | 'skip';
}

/** Counts of what the limits did, for the metrics. */
export interface SplitterCounts {
  truncated: number;
  skipped: number;
}

/** The end of the last whole UTF-8 character at or before `end`, so a cut never splits one. */
function characterBoundary(buf: Buffer, start: number, end: number): number {
  let at = end;
  while (at > start && (buf[at]! & 0xc0) === 0x80) at--;
  return at;
}

/**
 * Splits file bytes into lines on `\n` (a `\r` before it is dropped). The bytes after the last newline
 * are held until the rest arrives; a line past the limit is cut or skipped while it is still being
 * read, so memory stays bounded by the limit whatever the file holds.
 */
export class LineSplitter {
  readonly #limits: LineLimits;
  #held: Buffer[] = [];
  #heldBytes = 0;
  /** File offset of the first held byte, or of the line being discarded. */
  #heldFrom = -1;
  /** True while discarding the rest of an over-long line up to its newline. */
  #discarding = false;
  readonly counts: SplitterCounts = { truncated: 0, skipped: 0 };

  constructor(limits: LineLimits) {
    this.#limits = limits;
  }

  /** Offset of the first byte not yet turned into a line, or undefined when nothing is held. */
  get heldFrom(): number | undefined {
    return this.#heldFrom < 0 ? undefined : this.#heldFrom;
  }

  /** Splits `buf[0..length)`, the bytes of the file at `offset`. */
  push(buf: Buffer, length: number, offset: number, onLine: LineHandler): void {
    let pos = 0;
    while (pos < length) {
      const newline = buf.indexOf(10, pos);
      const stop = newline < 0 || newline >= length ? length : newline;
      if (this.#discarding) {
        // The newline ends the over-long line: what follows is a new line.
        if (stop < length) this.reset();
      } else if (this.#heldBytes === 0 && stop < length && stop - pos <= this.#limits.maxLineBytes) {
        // The common case: a whole line inside this chunk.
        const end = stop > pos && buf[stop - 1] === 13 ? stop - 1 : stop;
        onLine(buf, pos, end, offset + pos, offset + stop + 1);
      } else {
        this.#hold(buf, pos, stop, offset, onLine);
        if (stop < length && !this.#discarding) this.#emitHeld(offset + stop + 1, onLine);
        else if (stop < length) this.reset();
      }
      pos = stop + 1;
    }
  }

  /** Sends the held bytes as a line: the writer has not finished it in time, or the file is gone. */
  flush(end: number, onLine: LineHandler): void {
    if (this.#discarding) this.reset();
    else if (this.#heldBytes > 0) this.#emitHeld(end, onLine);
  }

  /** Forgets everything held: the bytes will be read again from heldFrom (after a restart). */
  reset(): void {
    this.#held = [];
    this.#heldBytes = 0;
    this.#heldFrom = -1;
    this.#discarding = false;
  }

  #hold(buf: Buffer, from: number, to: number, offset: number, onLine: LineHandler): void {
    if (this.#heldFrom < 0) this.#heldFrom = offset + from;
    const room = this.#limits.maxLineBytes - this.#heldBytes;
    if (to - from <= room) {
      // A copy: the reader reuses its buffer for the next chunk.
      this.#held.push(Buffer.from(buf.subarray(from, to)));
      this.#heldBytes += to - from;
      return;
    }
    if (this.#limits.longLines === 'skip') {
      this.counts.skipped++;
    } else {
      const cut = characterBoundary(buf, from, from + room);
      this.#held.push(Buffer.from(buf.subarray(from, cut)));
      const line = Buffer.concat(this.#held);
      this.counts.truncated++;
      // The record ends where the cut is; the rest of the line is dropped when its newline comes.
      onLine(line, 0, line.length, this.#heldFrom, offset + cut);
      this.#heldFrom = offset + cut;
    }
    this.#held = [];
    this.#heldBytes = 0;
    this.#discarding = true;
  }

  #emitHeld(end: number, onLine: LineHandler): void {
    const joined = this.#held.length === 1 ? this.#held[0]! : Buffer.concat(this.#held);
    const stop = joined.length > 0 && joined[joined.length - 1] === 13 ? joined.length - 1 : joined.length;
    const start = this.#heldFrom;
    this.reset();
    onLine(joined, 0, stop, start, end);
  }
}
