import { type FSWatcher, watch } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '@toolkit/lifecycle';
import {
  CertificateError,
  type CertificatePaths,
  checkCertificate,
  hashMaterial,
  type LoadedCertificate,
  readCertificateFiles,
} from './certificate-pair.ts';
import type { TlsPolicy } from './tls-policy.ts';

export interface ReloaderOptions {
  paths: CertificatePaths;
  policy: TlsPolicy;
  /** Puts a checked pair in service (new handshakes use it; open connections keep theirs). */
  apply: (loaded: LoadedCertificate) => void;
  onFailure: (error: CertificateError) => void;
  log: Logger;
  /** Re-read interval on top of the directory watches; 0 turns polling off. */
  pollIntervalMs: number;
  /** Quiet time after a watch event: the kubelet writes a new directory, then swaps one symlink. */
  settleMs?: number;
}

/**
 * Keeps the served certificate in step with its files. It watches the directories, not the files: a
 * Secret volume swaps the `..data` symlink, and a watch on the old file path never fires again. Every
 * event (and every poll) re-reads all files and compares their content, so touches and partial writes
 * are ignored, and a pair that does not check out keeps the old one in service; the same bad content is
 * reported once, not on every poll.
 */
export class CertificateReloader {
  readonly #options: ReloaderOptions;
  #current: string;
  #lastFailed: string | undefined;
  #watchers: FSWatcher[] = [];
  #poll: NodeJS.Timeout | undefined;
  #settle: NodeJS.Timeout | undefined;
  #checking: Promise<void> | undefined;
  #again = false;

  constructor(options: ReloaderOptions, initial: LoadedCertificate) {
    this.#options = options;
    this.#current = initial.contentHash;
  }

  start(): void {
    const { paths, pollIntervalMs, log } = this.#options;
    const directories = new Set(
      [paths.cert, paths.key, paths.ca].filter((p) => p !== undefined).map(dirname),
    );
    for (const directory of directories) {
      try {
        const watcher = watch(directory, { persistent: false }, () => this.#scheduleCheck());
        watcher.on('error', (error) =>
          log.warn({ directory, err: error.message }, 'certificate watch failed; polling only'),
        );
        this.#watchers.push(watcher);
      } catch (error) {
        log.warn(
          { directory, err: (error as Error).message },
          'cannot watch certificate directory; polling only',
        );
      }
    }
    if (pollIntervalMs > 0) {
      this.#poll = setInterval(() => void this.check(), pollIntervalMs);
      this.#poll.unref();
    }
  }

  stop(): void {
    for (const watcher of this.#watchers) watcher.close();
    this.#watchers = [];
    clearInterval(this.#poll);
    clearTimeout(this.#settle);
  }

  #scheduleCheck(): void {
    clearTimeout(this.#settle);
    this.#settle = setTimeout(() => void this.check(), this.#options.settleMs ?? 200);
    this.#settle.unref();
  }

  /** Re-reads the files now; resolves once a changed pair is applied or rejected. Checks never overlap. */
  check(): Promise<void> {
    if (this.#checking) {
      this.#again = true;
      return this.#checking;
    }
    this.#checking = this.#checkOnce().finally(() => {
      this.#checking = undefined;
      if (this.#again) {
        this.#again = false;
        void this.check();
      }
    });
    return this.#checking;
  }

  async #checkOnce(): Promise<void> {
    const { paths, policy, apply, onFailure, log } = this.#options;
    let hash: string | undefined;
    try {
      const material = await readCertificateFiles(paths);
      hash = hashMaterial(material);
      if (hash === this.#current) {
        this.#lastFailed = undefined;
        return;
      }
      if (hash === this.#lastFailed) return;
      const loaded = checkCertificate(material, policy);
      apply(loaded);
      this.#current = hash;
      this.#lastFailed = undefined;
      log.info(
        {
          subject: loaded.subject,
          notAfter: loaded.notAfter.toISOString(),
          fingerprint256: loaded.fingerprint256,
        },
        'certificate reloaded',
      );
    } catch (error) {
      const failure =
        error instanceof CertificateError
          ? error
          : new CertificateError('rejected', (error as Error).message);
      // Report each bad content (or each unreadable state) once, not on every event and poll.
      const key = hash ?? `${failure.reason}: ${failure.message}`;
      if (key === this.#lastFailed) return;
      this.#lastFailed = key;
      onFailure(failure);
      log.error(
        { reason: failure.reason, err: failure.message },
        'new certificate rejected; keeping the one in service',
      );
    }
  }
}
