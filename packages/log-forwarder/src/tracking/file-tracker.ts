import { checkPath, type OpenedFile, openFile, whyNotFollowed } from '../disk/file-checks.ts';
import { type FileKey, fingerprintOf, keyText } from '../disk/file-identity.ts';
import type { PositionsEntry } from '../positions/positions-file.ts';
import { Tailer } from '../reading/tailer.ts';
import type { FileReader, TailerEnvironment, TailerMode } from '../reading/tailer-environment.ts';
import { TrackedFile } from '../reading/tracked-file.ts';
import { carryOnAfterTruncation, rewrittenSince } from './copytruncate-recovery.ts';
import { resumeEntries } from './resume.ts';
import { RetiredFiles } from './retired-files.ts';
import {
  recoverMissedRotations,
  recoverRotationsBefore,
  recoverUnreadSinceRestart,
  startsLike,
  startsLikeEntry,
} from './rotation-recovery.ts';
import { type StartRules, startOffsetOf } from './start-offset.ts';
import type { TrackerOptions, Tracking } from './tracking.ts';

/** Files read to their end and acknowledged that the positions file keeps naming (see `done`). */
const doneEntriesKept = 64;

/**
 * Decides what each file found is: one already followed (maybe renamed), one let go, or a new one,
 * and where reading starts; runs a tailer per file. File events are handled one at a time, in order.
 */
export class FileTracker implements Tracking {
  readonly options: TrackerOptions;
  readonly #tailers = new Map<string, Tailer>();
  readonly #files = new Set<TrackedFile>();
  readonly #retired = new RetiredFiles();
  readonly #startRules: StartRules;
  readonly #environment: TailerEnvironment;
  #chain: Promise<void> = Promise.resolve();
  #initialScan = true;
  /** When this run began (Unix ms): a file born since is new, whatever name it is found under. */
  readonly #sinceMs = Date.now();
  /** Logical paths of the logs a file was followed for in this run. */
  readonly #logs = new Set<string>();
  /** Entries of files read to their end and acknowledged, newest last (see `PositionsEntry.done`). */
  #done: PositionsEntry[] = [];
  /** Copies read past, named as done once the contents they copy are acknowledged past them (see `readPast`). */
  #readPastCopies: { entry: PositionsEntry; copied: TrackedFile }[] = [];
  /** After a restart: per log, the birth time of its oldest file the positions file named. */
  #restartSince = new Map<string, number>();
  /** The entries a restart began with: a file starting like one of them is a copy of it, not unread. */
  #restartEntries: readonly PositionsEntry[] = [];
  /** Paths already said not to be followed. */
  readonly #warned = new Set<string>();
  closed = false;

  constructor(options: TrackerOptions) {
    this.options = options;
    const { readFrom, previousSaveMs, ignoreOlderMs } = options;
    this.#startRules = {
      readFrom,
      previousSaveMs,
      ignoreOlderMs,
      previousKeys: new Set(),
      logsSince: new Map(),
    };
    this.#environment = {
      ...options.environment,
      moved: (reader, path) => this.#moved(reader, path),
      truncated: (reader, old) => this.#truncated(reader, old),
      rewrittenSince: (reader, head) => this.#rewrittenSince(reader, head),
    };
  }

  /**
   * Reopens the files of the positions file where they are now, at their acknowledged offsets. The
   * rotated files of their logs that it does not name are looked for after the first scan.
   */
  async resume(entries: readonly PositionsEntry[]): Promise<void> {
    const keys = this.#startRules.previousKeys;
    for (const entry of entries) keys.add(keyText({ dev: entry.dev, ino: entry.ino }));
    this.#restartEntries = entries;
    this.#restartSince = await resumeEntries(this, entries);
    for (const [log, since] of this.#restartSince) this.#startRules.logsSince.set(log, since);
  }

  /** A file of the positions file read to its end before the restart, and still whole: known, not read. */
  retire(opened: OpenedFile, entry: PositionsEntry, physicalPath: string): void {
    this.#retired.remember(keyText(opened.key), opened.head, entry.offset);
    this.#rememberDone({ ...entry, file: physicalPath });
  }

  account(opened: OpenedFile): void {
    this.#retired.remember(keyText(opened.key), opened.head, opened.size);
    void opened.handle.close().catch(() => {});
  }

  /**
   * The copy's lines were read from the contents it copies, so it is done once those are
   * acknowledged past its end, not before: named done at once, a crash before then would lose the
   * lines not yet acknowledged (the restart would retire the copy, the only file still holding them,
   * and the entry of the copied contents would find none to read them from).
   */
  readPast(copy: OpenedFile, path: string, copied: TrackedFile): void {
    this.account(copy);
    const head = copy.head.subarray(0, this.options.fingerprintBytes);
    const entry: PositionsEntry = {
      path: copied.logicalPath,
      file: path,
      dev: copy.key.dev,
      ino: copy.key.ino,
      fingerprint: fingerprintOf(head),
      fingerprintBytes: head.length,
      offset: copy.size,
      bornMs: copied.contentsBornMs,
      done: true,
    };
    this.#readPastCopies.push({ entry, copied });
    // Acknowledged past it already (the usual case): written with the next positions file, now.
    this.options.context.committed();
  }

  forget(file: TrackedFile): void {
    this.#files.delete(file);
  }

  /**
   * Whether a file starts with the first bytes of contents this run follows or followed (read to
   * their end: named as done), or of the positions file it began with: then it is a copy of those.
   */
  startsLikeKnownContents(head: Buffer): boolean {
    const bytes = this.options.fingerprintBytes;
    for (const file of this.#files) if (startsLike(head, file.head, bytes)) return true;
    return [...this.#done, ...this.#restartEntries].some((entry) => startsLikeEntry(head, entry, bytes));
  }

  #rememberDone(entry: PositionsEntry): void {
    this.#done.push(entry);
    if (this.#done.length > doneEntriesKept) this.#done.shift();
  }

  found(path: string): void {
    this.enqueue(() => this.#consider(path));
  }

  /**
   * A change under a followed name wakes its reader, and is also checked as a find: a watcher may
   * report a file renamed away and a new one created under the name as one change.
   */
  changed(path: string): void {
    for (const tailer of this.#tailers.values()) if (tailer.file.physicalPath === path) tailer.wake();
    this.found(path);
  }

  /**
   * After the first scan, every file found is new: it is read from its beginning. After a restart,
   * the rotated files the last run had not read are read now (see recoverUnreadSinceRestart).
   */
  async initialScanDone(): Promise<void> {
    await this.#chain;
    this.#initialScan = false;
    for (const [log, since] of this.#restartSince)
      this.enqueue(() => recoverUnreadSinceRestart(this, log, since));
    this.#restartSince = new Map();
    await this.#chain;
  }

  get watching(): number {
    return this.#tailers.size;
  }

  /**
   * The positions file's entries. Files let go and fully acknowledged are forgotten, but the last
   * ones stay named as done: a restart must not read them again as rotated files never followed.
   */
  entries(): PositionsEntry[] {
    const entries: PositionsEntry[] = [];
    for (const file of this.#files) {
      const entry = file.toEntry();
      if (entry.done) {
        this.#files.delete(file);
        this.#rememberDone(entry);
      } else entries.push(entry);
    }
    this.#readPastCopies = this.#readPastCopies.filter(({ entry, copied }) => {
      if (copied.ledger.committed < entry.offset) return true;
      this.#rememberDone(entry);
      return false;
    });
    return [...this.#done, ...entries];
  }

  /** For the /files admin route. */
  describe(): Record<string, unknown>[] {
    return [...this.#tailers.values()].map(({ file, mode }) => ({
      path: file.logicalPath,
      file: file.physicalPath,
      mode,
      read: file.readOffset,
      committed: file.ledger.committed,
    }));
  }

  /** Shutdown: no new files; each file is read up to its size now, partial lines held for the next run. */
  async drain(): Promise<void> {
    this.closed = true;
    await this.#chain;
    const sizeOf = (tailer: Tailer) =>
      tailer.handle.stat().then(
        (stats) => stats.size,
        () => 0,
      );
    await Promise.all(
      [...this.#tailers.values()].map(async (tailer) => tailer.finishAt(await sizeOf(tailer))),
    );
  }

  abort(): void {
    this.closed = true;
    for (const tailer of this.#tailers.values()) tailer.abort();
  }

  /** Runs `work` after the file events before it. */
  enqueue(work: () => Promise<void>): void {
    this.#chain = this.#chain
      .then(work)
      .catch((error) => this.options.log.warn({ err: error }, 'cannot open file'));
  }

  isTracked(key: FileKey): boolean {
    return this.#tailers.has(keyText(key));
  }

  /** Followed now, or read to its end and let go. */
  isKnown(key: FileKey): boolean {
    return this.isTracked(key) || this.#retired.has(keyText(key));
  }

  /** The tailer following `path` under its own name, if any. */
  liveAt(path: string): Tailer | undefined {
    for (const tailer of this.#tailers.values())
      if (tailer.mode === 'live' && tailer.file.physicalPath === path) return tailer;
    return undefined;
  }

  /** Starts following an opened file from `offset`. */
  start(
    opened: OpenedFile,
    logicalPath: string,
    physicalPath: string,
    offset: number,
    mode: TailerMode,
  ): TrackedFile {
    const head = opened.head.subarray(0, this.options.fingerprintBytes);
    const file = new TrackedFile(opened.key, logicalPath, physicalPath, head, offset, this.options.context);
    file.birthMs = opened.birthMs;
    if (opened.birthMs > 0) file.contentsBornMs = opened.birthMs;
    this.#logs.add(logicalPath);
    this.#files.add(file);
    this.run(new Tailer(opened.handle, file, mode, this.#environment));
    const fields = { path: logicalPath, file: physicalPath, inode: opened.key.ino, offset, mode };
    this.options.log.debug(fields, 'following file');
    return file;
  }

  /** Keeps a tailer among the followed files until it ends; a file read to its end is remembered. */
  run(tailer: Tailer): void {
    const key = keyText(tailer.file.key);
    this.#tailers.set(key, tailer);
    this.options.watching(this.#tailers.size);
    void tailer.done.then(() => {
      if (this.#tailers.get(key) === tailer) this.#tailers.delete(key);
      this.options.watching(this.#tailers.size);
      const { file } = tailer;
      if (!file.finished) return;
      this.#retired.remember(key, file.head, file.readOffset);
      this.options.log.debug(
        { path: file.logicalPath, inode: file.key.ino, offset: file.readOffset },
        'file read to its end and let go',
      );
    });
  }

  /** For a tailer of new contents on a followed inode (after a truncation). */
  get environment(): TailerEnvironment {
    return this.#environment;
  }

  async #consider(path: string): Promise<void> {
    if (this.closed) return;
    const live = this.liveAt(path);
    if (live && (await checkPath(path, live.file.key)) === 'same') {
      live.wake();
      return;
    }
    const opened = await openFile(path, this.options.fingerprintBytes, this.options.linkRoots);
    if (!opened) {
      await this.#warnNotFollowed(path);
      return;
    }
    const key = keyText(opened.key);
    const existing = this.#tailers.get(key);
    if (existing) {
      await opened.handle.close();
      existing.follow(path);
      existing.wake();
      return;
    }
    const resumeAt = this.#retired.recall(key, opened.head);
    // After the first scan, every file found is new: read from its beginning.
    const offset = resumeAt ?? (this.#initialScan ? startOffsetOf(opened, path, this.#startRules) : 0);
    // A log that appeared since we began: its first files may have been rotated away before we saw
    // any (no rename of a followed file will point at them), and they are new too.
    const firstOfNewLog = !this.#initialScan && resumeAt === undefined && !this.#logs.has(path);
    const file = this.start(opened, path, path, offset, 'live');
    if (firstOfNewLog) this.enqueue(() => recoverRotationsBefore(this, file, this.#sinceMs));
  }

  /** Says once per path why a file the globs match is not followed (a FIFO, a link out). */
  async #warnNotFollowed(path: string): Promise<void> {
    if (this.#warned.has(path)) return;
    const reason = await whyNotFollowed(path, this.options.linkRoots);
    if (!reason) return;
    if (this.#warned.size >= 1000) this.#warned.clear();
    this.#warned.add(path);
    this.options.log.warn({ path }, reason);
  }

  #moved(reader: FileReader, path: string): void {
    const file = reader.file;
    this.options.rotated('rename');
    const fields = { path: file.logicalPath, inode: file.key.ino, offset: file.readOffset };
    this.options.log.info(fields, 'file renamed or deleted; reading it to its end');
    this.found(path);
    this.enqueue(() => recoverMissedRotations(this, file, path));
  }

  /**
   * Asked in turn with the file events: a truncation seen before has its copies found and followed
   * first, so they are known and not taken for copies of contents never seen.
   */
  #rewrittenSince(reader: FileReader, head: Buffer): Promise<boolean> {
    return new Promise((resolve) => {
      this.enqueue(() =>
        rewrittenSince(this, reader.file, head).then(resolve, (error) => {
          resolve(false);
          throw error;
        }),
      );
    });
  }

  #truncated(reader: FileReader, old: TrackedFile): void {
    this.options.rotated('truncate');
    const successor = reader.file;
    this.#files.add(successor);
    this.enqueue(() => carryOnAfterTruncation(this, reader, old, successor));
  }
}
