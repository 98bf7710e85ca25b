import type { LineMeta, MessageHandler } from './container-lines.ts';

/** Whether a line begins a record (the lines after it until the next such line are joined to it). */
export type RecordStart = (line: string) => boolean;

/**
 * The lines that carry on a record, by preset: what Java, Python and Go print after the line that
 * logged an error (stack frames, causes, tracebacks, goroutine dumps). Any other line starts a record.
 */
export const multilinePresets = {
  // `\tat com.x.Y.z(Y.java:1)`, `\t... 5 more`, `Caused by: ...`, `Suppressed: ...`, and the
  // exception line a logger prints after its message (`java.lang.IllegalStateException: boom`).
  java: /^(?:\s+(?:at\s|\.\.\.\s\d+\s)|\s*(?:Caused by|Suppressed):|[a-zA-Z_$][\w$]*(?:\.[\w$]+)+(?:Exception|Error|Throwable)\b(?::|$)|\s*$)/,
  // An indented frame or source line, the traceback header and chaining sentences, a blank line, and
  // the closing `ValueError: bad` line.
  python:
    /^(?:\s|$|Traceback \(most recent call last\):|During handling of the above exception|The above exception was the direct cause|[A-Za-z_][\w.]*(?:Error|Exception|Warning|Exit|Interrupt|Iteration)\b(?::|$))/,
  // The goroutine dump after `panic:`: blank lines, `goroutine N [running]:`, function lines, their
  // indented file:line lines, `created by`, `[signal ...`, `exit status N`.
  go: /^(?:\s|$|goroutine \d+ \[|created by |\[signal |exit status \d+$|[\w./*()\-[\]]+\(.*\)$)/,
} as const;

export type MultilinePreset = keyof typeof multilinePresets;

/**
 * Joins a record's lines: a line for which `startsRecord` holds begins a record, the lines after it
 * for which it does not (a stack trace) are appended with `\n`. A record is sent when the next one
 * starts, when it reaches the size limit, or when `flush` is called after the timeout. It keeps what
 * a container runtime said of its first line.
 */
export class MultilineJoiner {
  readonly #startsRecord: RecordStart;
  readonly #maxBytes: number;
  #lines: string[] = [];
  #bytes = 0;
  #from = -1;
  #end = -1;
  #meta: LineMeta | undefined;

  constructor(startsRecord: RecordStart, maxBytes: number) {
    this.#startsRecord = startsRecord;
    this.#maxBytes = maxBytes;
  }

  /** Offset of the first line held, or undefined when nothing is. */
  get heldFrom(): number | undefined {
    return this.#from < 0 ? undefined : this.#from;
  }

  push(line: string, start: number, end: number, onRecord: MessageHandler, meta?: LineMeta): void {
    if (
      this.#lines.length > 0 &&
      (this.#startsRecord(line) || this.#bytes + line.length + 1 > this.#maxBytes)
    ) {
      this.flush(onRecord);
    }
    if (this.#lines.length === 0) {
      this.#from = start;
      this.#meta = meta;
    }
    this.#lines.push(line);
    this.#bytes += line.length + 1;
    this.#end = end;
  }

  flush(onRecord: MessageHandler): void {
    if (this.#lines.length === 0) return;
    const text = this.#lines.length === 1 ? this.#lines[0]! : this.#lines.join('\n');
    const from = this.#from;
    const end = this.#end;
    const meta = this.#meta;
    this.reset();
    onRecord(text, from, end, meta);
  }

  reset(): void {
    this.#lines = [];
    this.#bytes = 0;
    this.#from = -1;
    this.#end = -1;
    this.#meta = undefined;
  }
}
