import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  loadPositions,
  type PositionsEntry,
  PositionsFileError,
  savePositions,
} from '../src/positions/positions-file.ts';
import { AckLedger } from '../src/records/ack-ledger.ts';
import { RecordBlock, settleRecords } from '../src/records/record.ts';

const entry: PositionsEntry = {
  path: '/logs/app.log',
  file: '/logs/app.log.1',
  dev: '2049',
  ino: '18446744073709551615',
  fingerprint: '0123456789abcdef',
  fingerprintBytes: 256,
  offset: 4096,
};

describe('positions file', () => {
  it('is written whole through a temporary file and read back', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lf-positions-')), 'positions.json');
    expect(await loadPositions(path)).toBeUndefined();
    await savePositions(path, [entry], true);
    await savePositions(path, [{ ...entry, offset: 8192 }], false);
    expect(existsSync(`${path}.tmp`)).toBe(false);
    const loaded = await loadPositions(path);
    expect(loaded?.entries).toEqual([{ ...entry, offset: 8192 }]);
    expect(loaded?.savedAtMs).toBeGreaterThan(Date.now() - 60_000);
    expect(JSON.parse(readFileSync(path, 'utf8')).version).toBe(1);
  });

  it('refuses a file that is not a positions file, naming it', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lf-positions-')), 'positions.json');
    writeFileSync(path, '{"version":1,"files":[{"path":3}]}');
    await expect(loadPositions(path)).rejects.toThrow(PositionsFileError);
    writeFileSync(path, 'not json');
    await expect(loadPositions(path)).rejects.toThrow(`positions file ${path} is not JSON`);
  });
});

describe('AckLedger', () => {
  /** A ledger at 0 with blocks of `sizes` records, each ending 100 bytes after the previous. */
  function ledgerWith(sinks: number, ...sizes: number[]) {
    let advanced = 0;
    let released = 0;
    const ledger = new AckLedger(
      0,
      () => advanced++,
      (segment) => {
        released += segment.bytes;
      },
    );
    const source = { path: '/a', pathJson: '"/a"', fingerprint: 'f' };
    const blocks = sizes.map((size, index) => {
      const block = new RecordBlock(source, 0, ledger.createSegment(), undefined);
      for (let i = 0; i < size; i++) block.addText('x', index * 100 + i, undefined);
      ledger.seal(block.segment, (index + 1) * 100, size * sinks, 10);
      return block;
    });
    return { ledger, blocks, advances: () => advanced, released: () => released };
  }

  it('commits an offset only when every sink has every record before it, in file order', () => {
    const { ledger, blocks, advances, released } = ledgerWith(2, 3, 2);
    settleRecords([{ block: blocks[1]!, from: 0, to: 2 }]);
    settleRecords([{ block: blocks[1]!, from: 0, to: 2 }]);
    expect(ledger.committed).toBe(0); // the second block is done, the first is not
    settleRecords([{ block: blocks[0]!, from: 0, to: 3 }]);
    expect(ledger.committed).toBe(0); // one sink of two
    settleRecords([
      { block: blocks[0]!, from: 0, to: 1 },
      { block: blocks[0]!, from: 1, to: 3 },
    ]);
    expect(ledger.committed).toBe(200);
    expect(advances()).toBe(1);
    expect(released()).toBe(20);
    expect(ledger.openSegments).toBe(0);
  });

  it('commits at once a segment without records (skipped lines)', () => {
    const { ledger } = ledgerWith(1, 0);
    expect(ledger.committed).toBe(100);
  });
});
