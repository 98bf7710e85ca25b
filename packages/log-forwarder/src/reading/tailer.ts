import type { FileHandle } from 'node:fs/promises';
import { checkPath } from '../disk/file-checks.ts';
import { readHead, tellsContentsApart } from '../disk/file-identity.ts';
import { emitRecords, flushHeld, flushPartial } from './emit-records.ts';
import { readChunk } from './read-chunk.ts';
import type { FileReader, TailerEnvironment, TailerMode } from './tailer-environment.ts';
import type { TrackedFile } from './tracked-file.ts';
import { WakeSignal, watchWrites } from './wake-signal.ts';

/**
 * Reads one open file from its offset to its end, again whenever it grows: each chunk is split into
 * lines and records that go to the sinks. Between reads it checks that the file is still the same
 * (truncation), that its name still leads to it (rotation), and flushes a held line after its timeout.
 */
export class Tailer implements FileReader {
  readonly handle: FileHandle;
  file: TrackedFile;
  mode: TailerMode;
  readonly done: Promise<void>;
  readonly #env: TailerEnvironment;
  readonly #stop = new AbortController();
  readonly #wakes = new WakeSignal();
  #stopAt = Number.POSITIVE_INFINITY;
  #pathCheckedAt = 0;
  /** The ctime of the file when its quiet start was last checked, and when (Unix ms). */
  #quietChangedMs = 0;
  #quietCheckedMs = 0;
  /** Polls at the end of the file since data last came: the wait doubles from 1 ms up to the poll interval. */
  #emptyPolls = 0;

  constructor(handle: FileHandle, file: TrackedFile, mode: TailerMode, env: TailerEnvironment) {
    this.handle = handle;
    this.file = file;
    this.mode = mode;
    this.#env = env;
    this.done = this.#run();
  }

  /** Looks for new data now, not at the next poll. */
  wake(): void {
    this.#wakes.wake();
  }

  /** Shutdown: reads up to `size` (the end when shutdown began), then stops, holding any partial line. */
  finishAt(size: number): Promise<void> {
    this.#stopAt = size;
    this.wake();
    return this.done;
  }

  /** Stops at once (the shutdown deadline passed). */
  abort(): void {
    this.#stop.abort();
    this.wake();
  }

  /** The name leads to this file again (a rescan found it under a followed name). */
  follow(path: string): void {
    this.file.physicalPath = path;
    if (this.mode === 'rotated') this.mode = 'live';
  }

  /** Flushes what `old` still holds, for contents that end here (truncated, with no copy found). */
  flushOld(old: TrackedFile): void {
    flushHeld(old, this.#env);
    old.finished = true;
  }

  async #run(): Promise<void> {
    const unwatch = watchWrites(this.file.physicalPath, () => this.wake());
    const { budget, timing } = this.#env;
    const stop = this.#stop.signal;
    try {
      while (!stop.aborted) {
        if (budget.full) await budget.room(stop);
        if (stop.aborted) break;
        const readAt = performance.now();
        const modeAtRead = this.mode;
        const result = await readChunk(
          this.handle,
          this.file,
          this.#env,
          this.#stopAt - this.file.readOffset,
        );
        if (result.kind === 'changed') this.#restartFile(result.head, result.seenAtMs, result.readMs);
        if (result.kind === 'grown') await this.#settleHead(result.head, result.seenAtMs, result.readMs);
        if (result.kind !== 'end') {
          this.#emptyPolls = 0;
          continue;
        }
        if (this.#stopAt !== Number.POSITIVE_INFINITY) break;
        if (await this.#checkTruncation()) continue;
        if (this.mode === 'live' && (await this.#checkQuietStart())) continue;
        if (this.mode === 'live') await this.#checkPath();
        // Idle as of the read that found the end, not as of now: after a pause (a starved or stopped
        // process) the end seen is stale, the file may have grown since. A renamed file is let go
        // only after a read begun once it was known renamed and idle for the wait finds nothing more.
        const idleMs = readAt - this.file.lastDataAt;
        const rotatedAndIdle =
          this.mode === 'rotated' && modeAtRead === 'rotated' && idleMs >= timing.rotateWaitMs;
        if (this.mode === 'copy' || rotatedAndIdle) {
          flushHeld(this.file, this.#env);
          this.file.finished = true;
          break;
        }
        this.#flushAfterTimeouts(idleMs);
        // A file being written is polled again within milliseconds: the less it lags, the less a
        // copytruncate can take before it is read.
        await this.#wakes.sleep(Math.min(timing.pollMs, 2 ** this.#emptyPolls++));
      }
    } finally {
      unwatch?.();
      await this.handle.close().catch(() => {});
    }
  }

  /** At the end of the data: a size below the offset means truncation, even with the same first bytes. */
  async #checkTruncation(): Promise<boolean> {
    const { size } = await this.handle.stat();
    if (size >= this.file.readOffset) return false;
    const seenAtMs = Date.now();
    const head = await readHead(this.handle, this.#env.timing.fingerprintBytes);
    this.#restartFile(head, seenAtMs, Date.now());
    return true;
  }

  /**
   * At the end of contents whose first bytes tell nothing (none, or part of a line), the file may
   * look unchanged after copytruncates (empty again, the app quiet): the copies born since tell. Asked
   * when the file changed (its ctime; a change in the tick of the last look is seen by that look).
   */
  async #checkQuietStart(): Promise<boolean> {
    const { fingerprintBytes } = this.#env.timing;
    if (tellsContentsApart(this.file.head, fingerprintBytes)) return false;
    const changedMs = Number((await this.handle.stat({ bigint: true })).ctimeNs / 1_000_000n);
    if (changedMs === this.#quietChangedMs && this.#quietCheckedMs > changedMs + 10) return false;
    const seenAtMs = Date.now();
    const head = await readHead(this.handle, fingerprintBytes);
    const readMs = Date.now();
    // Other first bytes: the next read sees them.
    if (!head.equals(this.file.head)) return false;
    this.#quietChangedMs = changedMs;
    this.#quietCheckedMs = seenAtMs;
    if (!(await this.#env.rewrittenSince(this, head))) return false;
    if (await this.#grewSince(head)) return false;
    this.#restartFile(head, seenAtMs, readMs);
    return true;
  }

  /**
   * The file's start grew from bytes too few to tell contents apart: copied and truncated meanwhile
   * (a starved or stopped process), those bytes are other contents. Only the copies can tell.
   */
  async #settleHead(head: Buffer, seenAtMs: number, readMs: number): Promise<void> {
    if (this.mode !== 'live' || !(await this.#env.rewrittenSince(this, head))) this.file.growHead(head);
    else if (!(await this.#grewSince(head))) this.#restartFile(head, seenAtMs, readMs);
  }

  /**
   * Whether the file's first bytes grew past `head` while the copies were asked about it (the ask
   * waits its turn): a copy born meanwhile may be a copy of these very contents, written and copied
   * during the wait and not yet truncated, so the answer is not trusted. The head is left as it was:
   * the next read finds it grown and asks again with the longer one (a truncation meanwhile still
   * shows then, by a copy that does not start like the file). First bytes that tell contents apart
   * need no second look: a copy of these contents starts with them, and is not taken for another.
   */
  async #grewSince(head: Buffer): Promise<boolean> {
    const { fingerprintBytes } = this.#env.timing;
    if (tellsContentsApart(head, fingerprintBytes)) return false;
    const now = await readHead(this.handle, fingerprintBytes);
    return now.length > head.length && now.subarray(0, head.length).equals(head);
  }

  /**
   * The file was truncated: what was read becomes the old contents, reading restarts at 0. The new
   * contents were in the file when their first bytes were read, between `seenAtMs` and `readMs`.
   */
  #restartFile(head: Buffer, seenAtMs: number, readMs: number): void {
    const old = this.file;
    this.file = old.successor(head, seenAtMs, readMs);
    this.#env.truncated(this, old);
  }

  async #checkPath(): Promise<void> {
    const now = performance.now();
    if (now - this.#pathCheckedAt < this.#env.timing.pollMs) return;
    this.#pathCheckedAt = now;
    if ((await checkPath(this.file.physicalPath, this.file.key)) === 'same' || this.mode !== 'live') return;
    this.mode = 'rotated';
    this.#env.moved(this, this.file.physicalPath);
  }

  #flushAfterTimeouts(idleMs: number): void {
    const file = this.file;
    const { partialLineMs, multilineMs } = this.#env.timing;
    if (file.splitter.heldFrom !== undefined && idleMs >= partialLineMs) {
      emitRecords(file, this.#env, (onLine) => file.splitter.flush(file.readOffset, onLine));
    }
    if (file.decoder?.heldFrom !== undefined && idleMs >= partialLineMs) {
      emitRecords(file, this.#env, (_onLine, onText) => flushPartial(file, onText));
    }
    const joiner = file.joiner;
    if (joiner?.heldFrom !== undefined && idleMs >= multilineMs) {
      emitRecords(file, this.#env, (_onLine, onText) => joiner.flush(onText));
    }
  }
}
