import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A whole line of the writer fixture (100 bytes by default). A copy taken while the app writes can
 * end in a torn line (the copy reads a size the write has not finished filling), `seq=0000` or
 * `seq=000012` for instance: it names no line, so it is counted apart.
 */
const wholeLine = /^seq=(\d{9}) x{86}$/;

/** The sequence number of a whole line of the writer fixture; undefined for anything else. */
export function sequenceOfWholeLine(line: string): number | undefined {
  const seq = wholeLine.exec(line)?.[1];
  return seq === undefined ? undefined : Number(seq);
}

/** Sequence numbers of the whole lines in the files of a log (the log and its rotated copies). */
export function linesInFiles(dir: string, prefix: string): Set<number> {
  const seqs = new Set<number>();
  for (const name of readdirSync(dir)) {
    if (name.startsWith(prefix)) for (const seq of linesInFile(join(dir, name))) seqs.add(seq);
  }
  return seqs;
}

/** The sequence numbers of the whole lines of one file. */
export function linesInFile(path: string): Set<number> {
  const seqs = new Set<number>();
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.pop(); // after the last newline: empty, or a torn line
  for (const line of lines) {
    const seq = sequenceOfWholeLine(line);
    if (seq !== undefined) seqs.add(seq);
  }
  return seqs;
}
