import { Worker } from 'node:worker_threads';
import type { Logger } from '@toolkit/lifecycle';
import type { TlsProxyConfig } from '../settings.ts';
import type { CertificateMaterial } from '../tls/tls-policy.ts';
import type { FromWorker, MetricsSnapshot, ToWorker, WorkerStart } from './messages.ts';

/** The file a worker runs: the bundle itself (one file holds everything), or src/main.ts from the sources. */
function workerEntry(): URL {
  const here = import.meta.url;
  return here.endsWith('/workers/pool.ts') ? new URL('../main.ts', here) : new URL(here);
}

/** How long a scrape waits for a worker's metrics before using the last ones it sent. */
const metricsWaitMs = 1000;

class ProxyThread {
  readonly index: number;
  readonly worker: Worker;
  /** Resolves with the port once the worker listens; rejects if it fails or stops first. */
  readonly listening: Promise<number>;
  readonly exited: Promise<void>;
  /** The last metrics it sent: kept once it is gone, so aggregated counters never go back. */
  snapshot: MetricsSnapshot = [];
  alive = true;
  #nextId = 0;
  readonly #waiting = new Map<number, () => void>();

  constructor(
    start: WorkerStart,
    onStop: (thread: ProxyThread, code: number, error: Error | undefined) => void,
  ) {
    this.index = start.index;
    this.worker = new Worker(workerEntry(), { workerData: start, stdout: false, stderr: false });
    let failure: Error | undefined;
    this.listening = new Promise((resolve, reject) => {
      this.worker.on('message', (message: FromWorker) => {
        if (message.type === 'listening') resolve(message.port);
        else if (message.type === 'metrics') {
          this.snapshot = message.metrics;
          this.#waiting.get(message.id)?.();
        }
      });
      this.worker.on('error', (error) => {
        failure = error;
        reject(error);
      });
      this.worker.once('exit', (code) =>
        reject(new Error(`worker ${this.index} stopped (exit code ${code})`)),
      );
    });
    this.listening.catch(() => {});
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', (code) => {
        this.alive = false;
        for (const done of this.#waiting.values()) done();
        onStop(this, code, failure);
        resolve();
      }),
    );
  }

  post(message: ToWorker): void {
    if (this.alive) this.worker.postMessage(message);
  }

  /** Asks for fresh metrics; resolves when they came, the worker is gone, or after `metricsWaitMs`. */
  refreshMetrics(): Promise<void> {
    if (!this.alive) return Promise.resolve();
    const id = this.#nextId++;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(finish, metricsWaitMs);
      function finish() {
        clearTimeout(timer);
        resolve();
      }
      this.#waiting.set(id, finish);
      this.post({ type: 'metrics', id });
    }).finally(() => this.#waiting.delete(id));
  }
}

export interface PoolOptions {
  count: number;
  config: TlsProxyConfig;
  material: CertificateMaterial;
  /** Port of --listen; 0 lets the first worker pick it. */
  port: number;
  /** Shared by every listener so a TLS session resumes on any worker. */
  ticketKeys: Buffer;
  log: Logger;
  /** A worker stopped while not draining (an uncaught error in it, or its event loop ran out). */
  onCrash: (index: number, error: Error) => void;
}

/**
 * Worker threads that each serve HTTPS on the same port with SO_REUSEPORT. The first one listens alone
 * (so port 0 is resolved once), the others then join its port. Messages carry certificate changes in,
 * metrics out, and the drain.
 */
export class WorkerPool {
  readonly port: number;
  readonly #threads: ProxyThread[];
  #draining = false;

  private constructor(threads: ProxyThread[], port: number) {
    this.#threads = threads;
    this.port = port;
  }

  static async start(options: PoolOptions): Promise<WorkerPool> {
    const { count, config, material, ticketKeys, log } = options;
    const threads: ProxyThread[] = [];
    let pool: WorkerPool | undefined;
    const onStop = (thread: ProxyThread, code: number, error: Error | undefined) => {
      if (!pool || pool.#draining) return;
      const cause = error ?? new Error(`worker ${thread.index} stopped with exit code ${code}`);
      log.error({ worker: thread.index, code, err: cause.message }, 'worker thread stopped');
      options.onCrash(thread.index, cause);
    };
    const spawn = (index: number, port: number) => {
      const thread = new ProxyThread(
        {
          tlsProxyWorker: true,
          index,
          config,
          logLevel: log.level,
          material,
          port,
          ticketKeys: new Uint8Array(ticketKeys),
        },
        onStop,
      );
      threads.push(thread);
      return thread.listening;
    };
    try {
      const port = await spawn(0, options.port);
      await Promise.all(Array.from({ length: count - 1 }, (_, i) => spawn(i + 1, port)));
      pool = new WorkerPool(threads, port);
      return pool;
    } catch (error) {
      await Promise.all(threads.map((thread) => thread.worker.terminate()));
      throw new Error(`a worker thread failed to start: ${(error as Error).message}`, { cause: error });
    }
  }

  get size(): number {
    return this.#threads.length;
  }

  setCertificate(material: CertificateMaterial): void {
    for (const thread of this.#threads) thread.post({ type: 'certificate', material });
  }

  /** Every worker's metrics, fresh where it answers in time, else the last it sent. */
  async collectMetrics(): Promise<MetricsSnapshot[]> {
    await Promise.all(this.#threads.map((thread) => thread.refreshMetrics()));
    return this.#threads.map((thread) => thread.snapshot);
  }

  /**
   * Each worker drains as one process would (Connection: close for the settle time, listener closed,
   * in-flight requests finished, the rest cut at `graceMs`), then exits; one still running half a second
   * after that is terminated (within the shutdown step's own timeout, a second past the grace).
   */
  async drain(graceMs: number): Promise<void> {
    this.#draining = true;
    for (const thread of this.#threads) thread.post({ type: 'drain', graceMs });
    const backstop = setTimeout(() => {
      for (const thread of this.#threads) if (thread.alive) void thread.worker.terminate();
    }, graceMs + 500);
    backstop.unref();
    await Promise.all(this.#threads.map((thread) => thread.exited));
    clearTimeout(backstop);
  }
}
