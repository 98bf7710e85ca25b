import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/** Device and inode, as strings: inode numbers can pass 2^53 (overlayfs, xfs). */
export interface FileKey {
  dev: string;
  ino: string;
}

export function fileKeyOf(stats: BigIntStats): FileKey {
  return { dev: String(stats.dev), ino: String(stats.ino) };
}

export function sameKey(a: FileKey, b: FileKey): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

export function keyText(key: FileKey): string {
  return `${key.dev}:${key.ino}`;
}

/** The first `bytes` bytes of a file, fewer when it is shorter: its fingerprint so far. */
export async function readHead(handle: FileHandle, bytes: number): Promise<Buffer> {
  const head = Buffer.alloc(bytes);
  const { bytesRead } = await handle.read(head, 0, bytes, 0);
  return head.subarray(0, bytesRead);
}

export function fingerprintOf(head: Buffer): string {
  return createHash('sha256').update(head).digest('hex').slice(0, 16);
}

/**
 * How a file's start compares with the head known for it: `same` (maybe longer now: the head grows
 * until it has all its bytes, so a short file is read at once and still told apart later) or
 * `changed` (truncated, or rewritten from the start: copytruncate, or a reused inode).
 */
export function compareHead(known: Buffer, current: Buffer): 'same' | 'changed' {
  if (current.length < known.length) return 'changed';
  return current.subarray(0, known.length).equals(known) ? 'same' : 'changed';
}

/**
 * Whether first bytes are enough to tell contents apart: all the bytes of a fingerprint, or a whole
 * first line (a few bytes of a line being written, `seq=0`, start many files; none tell nothing).
 */
export function tellsContentsApart(head: Buffer, fingerprintBytes: number): boolean {
  return head.length > 0 && (head.length >= fingerprintBytes || head.includes(10));
}
