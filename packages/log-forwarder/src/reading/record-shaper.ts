import type { EventTime, TimeReader } from '../records/event-time.ts';
import { streamFields } from '../records/record.ts';
import type { LineMeta } from './container-lines.ts';
import type { LineParser } from './parse-line.ts';
import { type Redaction, redact } from './redaction.ts';

/** What is done to each record's text between the file and the sinks; each part optional. */
export interface RecordRules {
  /** A record is kept only when it matches one of these (when there are any). */
  include: RegExp[];
  /** A record matching one of these is dropped (and counted). */
  exclude: RegExp[];
  redactions: Redaction[];
  parser: LineParser | undefined;
  /** The parsed field holding the event time, and how to read it. */
  time: { key: string; read: TimeReader } | undefined;
}

/** What the rules did, for the metrics (taken and zeroed when a read is counted). */
export interface ShapeCounts {
  notIncluded: number;
  excluded: number;
  timeFallback: number;
}

/** Whether any rule is set: when none is, lines go to the sinks as bytes with nothing run on them. */
export function hasRules(rules: RecordRules): boolean {
  return (
    rules.include.length > 0 ||
    rules.exclude.length > 0 ||
    rules.redactions.length > 0 ||
    rules.parser !== undefined ||
    rules.time !== undefined
  );
}

function matchesAny(patterns: readonly RegExp[], text: string): boolean {
  for (const pattern of patterns) if (pattern.test(text)) return true;
  return false;
}

/**
 * Applies the rules to a record: filters (include, then exclude), redacts, parses, and takes the
 * event time (the time key's field, else the container runtime's time). `shape` says whether the
 * record is kept; its text, fields and time are then in the shaper's fields until the next call, so
 * no object is made per record for them.
 */
export class RecordShaper {
  readonly counts: ShapeCounts = { notIncluded: 0, excluded: 0, timeFallback: 0 };
  text = '';
  fields: Record<string, unknown> | undefined;
  time: EventTime | undefined;
  readonly #rules: RecordRules;

  constructor(rules: RecordRules) {
    this.#rules = rules;
  }

  shape(line: string, meta: LineMeta | undefined): boolean {
    const { include, exclude, redactions, parser, time } = this.#rules;
    if (include.length > 0 && !matchesAny(include, line)) {
      this.counts.notIncluded++;
      return false;
    }
    if (exclude.length > 0 && matchesAny(exclude, line)) {
      this.counts.excluded++;
      return false;
    }
    const text = redactions.length > 0 ? redact(line, redactions) : line;
    let fields = parser ? parser(text) : undefined;
    // The parser's object is new for this line: the stream is set on it (last, unless the line had
    // one), not copied into another.
    if (meta) {
      if (fields) fields.stream = meta.stream;
      else fields = streamFields(meta.stream);
    }
    this.text = text;
    this.fields = fields;
    this.time = meta?.time;
    if (time) {
      const value = fields?.[time.key];
      const read = value === undefined ? undefined : time.read(value);
      if (read) this.time = read;
      else this.counts.timeFallback++;
    }
    return true;
  }
}
