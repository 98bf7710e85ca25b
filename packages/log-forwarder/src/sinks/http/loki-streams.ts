import type { RecordBlock, RecordSlice } from '../../records/record.ts';
import { fieldText } from '../record-fields.ts';
import { SliceList } from '../sink.ts';

/** A parsed field that becomes a Loki label, and the label name it gets. */
export interface LabelField {
  field: string;
  label: string;
}

/** A field name as a Loki label name (`[a-zA-Z_][a-zA-Z0-9_]*`): other characters become `_`. */
export function lokiLabelName(field: string): string {
  const name = field.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

export interface LokiStream {
  labels: Record<string, string>;
  /** The fields its labels come from: left out of each record's structured metadata. */
  labelFields: Set<string>;
  records: SliceList;
}

export interface LokiStreamOptions {
  labels: Record<string, string>;
  labelFrom: readonly LabelField[];
  /** Distinct values a label from a field takes in a run; a new value past it is left out of the label set. */
  maxLabelValues: number;
  /** Counts a record whose value was left out of a label for being past maxLabelValues. */
  overflow: (label: string) => void;
}

/**
 * Splits a batch into Loki streams: one per file and distinct set of labels from parsed fields. Every
 * label set is a stream Loki indexes for good, so a label from a field of many values (a user id, a
 * request path) would make a stream per record: each label takes at most `maxLabelValues` distinct
 * values in a run (the first ones seen), and a record with a value past that goes without that label,
 * its field kept as structured metadata, and is counted.
 */
export class LokiStreams {
  readonly #options: LokiStreamOptions;
  readonly #seen: Set<string>[];

  constructor(options: LokiStreamOptions) {
    this.#options = options;
    this.#seen = options.labelFrom.map(() => new Set());
  }

  /** The value of label `index` for a record's fields; undefined when the field is absent or the label is capped. */
  #value(index: number, fields: Record<string, unknown> | undefined): string | undefined {
    const { field, label } = this.#options.labelFrom[index]!;
    const raw = fields?.[field];
    if (raw === undefined || raw === null || raw === '') return undefined;
    const value = fieldText(raw);
    const seen = this.#seen[index]!;
    if (seen.has(value)) return value;
    if (seen.size >= this.#options.maxLabelValues) {
      this.#options.overflow(label);
      return undefined;
    }
    seen.add(value);
    return value;
  }

  split(batch: readonly RecordSlice[]): LokiStream[] {
    const streams = new Map<string, LokiStream>();
    const { labels, labelFrom } = this.#options;
    const streamOf = (block: RecordBlock, values: (string | undefined)[]) => {
      const key = `${block.source.path}\u0000${values.map((value) => value ?? '\u0001').join('\u0000')}`;
      let stream = streams.get(key);
      if (!stream) {
        const set: Record<string, string> = { ...labels, filename: block.source.path };
        const labelFields = new Set<string>();
        values.forEach((value, index) => {
          if (value === undefined) return;
          set[labelFrom[index]!.label] = value;
          labelFields.add(labelFrom[index]!.field);
        });
        stream = { labels: set, labelFields, records: new SliceList() };
        streams.set(key, stream);
      }
      return stream;
    };
    for (const slice of batch) {
      const { block, from, to } = slice;
      if (labelFrom.length === 0 || block.fields === undefined) {
        // No labels from fields: the whole slice goes to its file's stream.
        streamOf(
          block,
          labelFrom.map(() => undefined),
        ).records.slices.push({ block, from, to });
        continue;
      }
      for (let i = from; i < to; i++) {
        const fields = block.fields[i];
        const values = labelFrom.map((_, index) => this.#value(index, fields));
        streamOf(block, values).records.add(block, i);
      }
    }
    return [...streams.values()];
  }
}
