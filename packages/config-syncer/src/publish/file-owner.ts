import { mkdirSync } from 'node:fs';
import { chown, open, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/** `--file-owner UID:GID`: given to every file and directory the syncer creates in the target. */
export interface FileOwner {
  uid: number;
  gid: number;
}

/** The process cannot give files the owner asked for (not root, no CAP_CHOWN). */
export class FileOwnerError extends Error {
  readonly code = 'CHOWN_NOT_PERMITTED';
}

/**
 * Checks once, at start, that files can be given `owner`: creates `scratch` (a temp file's path in the
 * target, so a killed run's is cleared like them), chowns it, removes it. Without this a missing
 * capability would fail every publish, one log line at a time.
 */
export async function checkCanChown(scratch: string, owner: FileOwner): Promise<void> {
  const handle = await open(scratch, 'wx', 0o600);
  try {
    await handle.chown(owner.uid, owner.gid).catch(explainRefusal(owner));
  } finally {
    await handle.close();
    await unlink(scratch).catch(() => {});
  }
}

/** mkdir -p, giving `owner` to each directory it had to create (not to those already there). */
export async function makeDirectories(path: string, owner: FileOwner | undefined): Promise<void> {
  // Synchronous: on a publish the directory is there, and a syscall beats a thread-pool round trip.
  const first = mkdirSync(path, { recursive: true, mode: 0o755 });
  if (first === undefined || owner === undefined) return;
  for (let dir = path; ; dir = dirname(dir)) {
    await chown(dir, owner.uid, owner.gid).catch(explainRefusal(owner));
    if (dir === first || dir === dirname(dir)) return;
  }
}

/** EPERM from chown: the capability is missing, said once in terms of the option. */
function explainRefusal(owner: FileOwner) {
  return (error: NodeJS.ErrnoException): never => {
    if (error.code !== 'EPERM') throw error;
    throw new FileOwnerError(
      `--file-owner ${owner.uid}:${owner.gid}: cannot give files this owner (EPERM): the process runs as uid ${process.getuid?.()} without CAP_CHOWN; run it as root or with the CHOWN capability, or drop --file-owner`,
      { cause: error },
    );
  };
}
