import type { FileHandle } from 'node:fs/promises';
import { compareHead, readHead, tellsContentsApart } from '../disk/file-identity.ts';
import { emitRecords } from './emit-records.ts';
import type { TailerEnvironment } from './tailer-environment.ts';
import type { TrackedFile } from './tracked-file.ts';

/**
 * `data`: a chunk was read and dispatched; `end`: nothing more to read; `changed`: the file's start
 * changed (truncated); `grown`: its start grew from bytes too few to tell contents apart (none, or
 * part of a first line), so a truncation meanwhile would not show: nothing was read, the tailer asks.
 * `seenAtMs`: just before `head` was read (Unix ms); `readMs`: just after, the contents it starts were
 * in the file by then (the read may run long after it is asked for, on a starved CPU, after a copy
 * made meanwhile; the tailer may go on seconds later still).
 */
export type ChunkResult =
  | { kind: 'data' }
  | { kind: 'end' }
  | { kind: 'changed' | 'grown'; head: Buffer; seenAtMs: number; readMs: number };

/** Compares the file's first bytes with the known head; undefined when they match (the head may grow). */
async function changedHead(
  handle: FileHandle,
  file: TrackedFile,
  bytes: number,
): Promise<ChunkResult | undefined> {
  const seenAtMs = Date.now();
  const current = await readHead(handle, bytes);
  const readMs = Date.now();
  if (compareHead(file.head, current) === 'changed')
    return { kind: 'changed', head: current, seenAtMs, readMs };
  if (current.length > file.head.length && !tellsContentsApart(file.head, bytes))
    return { kind: 'grown', head: current, seenAtMs, readMs };
  file.growHead(current);
  return undefined;
}

/**
 * Reads one chunk of `file` at its offset (at most `limit` bytes), splits it into records and hands
 * them to the sinks. The file's first bytes are checked before and after the read: truncated and
 * written again while the read waited (a starved CPU), the bytes may be the new contents at the old
 * offset, so they are dropped and the truncation reported (the old contents are read from the copy).
 */
export async function readChunk(
  handle: FileHandle,
  file: TrackedFile,
  env: TailerEnvironment,
  limit: number,
): Promise<ChunkResult> {
  if (limit <= 0) return { kind: 'end' };
  const { buffers, timing } = env;
  const buffer = await buffers.acquire();
  let kept = false;
  try {
    const before = await changedHead(handle, file, timing.fingerprintBytes);
    if (before) return before;
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, limit), file.readOffset);
    if (bytesRead === 0) return { kind: 'end' };
    const after = await changedHead(handle, file, timing.fingerprintBytes);
    if (after) return after;
    const offset = file.readOffset;
    file.readOffset += bytesRead;
    file.lastDataAt = performance.now();
    // A small read is copied out, so a slowly written file does not hold a whole buffer per line.
    const small = bytesRead < buffer.length / 8;
    const data = small ? Buffer.from(buffer.subarray(0, bytesRead)) : buffer;
    const push = (onLine: Parameters<typeof file.splitter.push>[3]) =>
      file.splitter.push(data, bytesRead, offset, onLine);
    const emitted = emitRecords(file, env, push, data, small ? undefined : buffer);
    kept = emitted.kept;
    env.counted(file, emitted.lines, bytesRead);
    return { kind: 'data' };
  } finally {
    if (!kept) buffers.release(buffer);
  }
}
