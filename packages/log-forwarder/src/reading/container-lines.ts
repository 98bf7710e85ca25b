import { type EventTime, parseRfc3339 } from '../records/event-time.ts';

/** What a container runtime wrote beside the message: its stream and time. */
export interface LineMeta {
  stream: string;
  time: EventTime | undefined;
}

/** Receives a message (partial lines joined) spanning the file from `start` to `end`. */
export type MessageHandler = (text: string, start: number, end: number, meta: LineMeta | undefined) => void;

export type ContainerFormat = 'cri' | 'docker';

interface Decoded {
  text: string;
  meta: LineMeta;
  /** More of the message follows in the next line. */
  partial: boolean;
}

/** `stdout` or `stderr` when `line[from..to)` says so, as the one constant string; else undefined. */
function streamNamed(line: string, from: number, to: number): 'stdout' | 'stderr' | undefined {
  if (to - from !== 6) return undefined;
  if (line.startsWith('stdout', from)) return 'stdout';
  if (line.startsWith('stderr', from)) return 'stderr';
  return undefined;
}

/**
 * A kubelet CRI line: `2024-01-01T00:00:00.123456789Z stdout F message`, the tag `P` for a partial
 * line (the runtime cut a long one), `F` for the last part.
 */
export function decodeCri(line: string): Decoded | undefined {
  const timeEnd = line.indexOf(' ');
  if (timeEnd < 0) return undefined;
  const streamEnd = line.indexOf(' ', timeEnd + 1);
  if (streamEnd < 0) return undefined;
  // Compared in place: a slice this short is a new string on every line.
  const stream = streamNamed(line, timeEnd + 1, streamEnd);
  if (stream === undefined) return undefined;
  const tagEnd = line.indexOf(' ', streamEnd + 1);
  const first = line.charCodeAt(streamEnd + 1);
  if (first !== 70 /* F */ && first !== 80 /* P */) return undefined;
  return {
    text: tagEnd < 0 ? '' : line.slice(tagEnd + 1),
    meta: { stream, time: parseRfc3339(line.slice(0, timeEnd)) },
    partial: first === 80,
  };
}

/** A Docker json-file line: `{"log":"message\n","stream":"stdout","time":"..."}`; no `\n` at the end of `log` means partial. */
export function decodeDocker(line: string): Decoded | undefined {
  if (line.charCodeAt(0) !== 123 /* { */) return undefined;
  let value: { log?: unknown; stream?: unknown; time?: unknown };
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (value === null || typeof value.log !== 'string') return undefined;
  const log = value.log;
  const partial = !log.endsWith('\n');
  const cut = partial ? log.length : log.endsWith('\r\n') ? log.length - 2 : log.length - 1;
  return {
    text: log.slice(0, cut),
    meta: {
      stream: typeof value.stream === 'string' ? value.stream : '',
      time: typeof value.time === 'string' ? parseRfc3339(value.time) : undefined,
    },
    partial,
  };
}

/**
 * Turns a container runtime's log lines into messages: partial lines are joined to the line that
 * ends them (up to the line limit), stream and time are kept beside the text. A line not in the
 * format is passed on as it is. Partial lines of one stream are held at a time: a line of the other
 * stream ends them, so messages leave in file order and a commit never passes a held line.
 */
export class ContainerLineDecoder {
  readonly #decode: (line: string) => Decoded | undefined;
  readonly #maxBytes: number;
  #parts: string[] = [];
  #bytes = 0;
  #from = -1;
  #end = -1;
  #meta: LineMeta | undefined;

  constructor(format: ContainerFormat, maxBytes: number) {
    this.#decode = format === 'cri' ? decodeCri : decodeDocker;
    this.#maxBytes = maxBytes;
  }

  /** Offset of the first partial line held, or undefined when none is. */
  get heldFrom(): number | undefined {
    return this.#from < 0 ? undefined : this.#from;
  }

  push(line: string, start: number, end: number, onMessage: MessageHandler): void {
    const decoded = this.#decode(line);
    if (!decoded) {
      this.flush(onMessage);
      onMessage(line, start, end, undefined);
      return;
    }
    if (this.#meta && (this.#meta.stream !== decoded.meta.stream || this.#bytes >= this.#maxBytes)) {
      this.flush(onMessage);
    }
    if (!decoded.partial && this.#parts.length === 0) {
      onMessage(decoded.text, start, end, decoded.meta);
      return;
    }
    if (this.#parts.length === 0) {
      this.#from = start;
      // The message's time is when its first part was written.
      this.#meta = decoded.meta;
    }
    this.#parts.push(decoded.text);
    this.#bytes += decoded.text.length;
    this.#end = end;
    if (!decoded.partial) this.flush(onMessage);
  }

  /** Sends the partial lines held as one message (the file ends, or no more came in time). */
  flush(onMessage: MessageHandler): void {
    if (this.#parts.length === 0) return;
    const text = this.#parts.length === 1 ? this.#parts[0]! : this.#parts.join('');
    const { from, end, meta } = { from: this.#from, end: this.#end, meta: this.#meta };
    this.reset();
    onMessage(text, from, end, meta);
  }

  reset(): void {
    this.#parts = [];
    this.#bytes = 0;
    this.#from = -1;
    this.#end = -1;
    this.#meta = undefined;
  }
}
