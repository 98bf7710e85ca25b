import { AckLedger } from '../../src/records/ack-ledger.ts';
import { type LogSource, RecordBlock, type RecordSlice } from '../../src/records/record.ts';

export const testSource: LogSource = {
  path: '/logs/app.log',
  pathJson: '"/logs/app.log"',
  fingerprint: 'feedfacecafebeef',
};

/**
 * A block of records as a tailer makes them: the lines as bytes of one buffer (offsets counted from
 * `firstOffset`), sealed in a ledger that counts what was acknowledged.
 */
export function blockOf(
  lines: string[],
  options: { firstOffset?: number; source?: LogSource; sinks?: number } = {},
) {
  const data = Buffer.from(lines.map((line) => `${line}\n`).join(''));
  const ledger = new AckLedger(
    options.firstOffset ?? 0,
    () => {},
    () => {},
  );
  const block = new RecordBlock(
    options.source ?? testSource,
    Date.parse('2026-05-01T10:00:00.000Z'),
    ledger.createSegment(),
    data,
  );
  let at = 0;
  for (const line of lines) {
    const length = Buffer.byteLength(line);
    block.addBytes(at, at + length, (options.firstOffset ?? 0) + at);
    at += length + 1;
  }
  ledger.seal(
    block.segment,
    (options.firstOffset ?? 0) + data.length,
    lines.length * (options.sinks ?? 1),
    0,
  );
  const slice: RecordSlice = { block, from: 0, to: lines.length };
  return { block, ledger, slice };
}

/** A block of records made as strings, each with the fields `parse` found in it (as --parse does). */
export function parsedBlockOf(
  lines: string[],
  parse: (line: string) => Record<string, unknown> | undefined,
  options: { source?: LogSource; time?: number } = {},
) {
  const ledger = new AckLedger(
    0,
    () => {},
    () => {},
  );
  const block = new RecordBlock(
    options.source ?? testSource,
    options.time ?? Date.parse('2026-05-01T10:00:00.000Z'),
    ledger.createSegment(),
    undefined,
  );
  let offset = 0;
  for (const line of lines) {
    block.addText(line, offset, parse(line));
    offset += Buffer.byteLength(line) + 1;
  }
  ledger.seal(block.segment, offset, lines.length, 0);
  const slice: RecordSlice = { block, from: 0, to: lines.length };
  return { block, ledger, slice };
}
