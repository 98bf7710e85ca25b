import type { Logger } from '@toolkit/lifecycle';
import type { SyncerMetrics } from '../metrics.ts';
import type { FileSet } from '../snapshot.ts';

export interface SourceContext {
  /** Called when the source may have changed; the syncer reads it again (debounced). */
  onChange(): void;
  log: Logger;
  metrics: SyncerMetrics;
  /** Aborted at shutdown. */
  signal: AbortSignal;
}

/** What a read reports to besides its result: what it skipped, say. */
export type ReadContext = Pick<SourceContext, 'log' | 'metrics'>;

/** Where config files come from: a directory or a URL. */
export interface Source {
  /** Names the source in logs and metric labels; never holds credentials or a query string. */
  readonly label: string;
  /** The files as they are now; throws when the source cannot be read, and the last good config stays. */
  read(context: ReadContext): Promise<FileSet>;
  /** Brings the source up to date now, for `--once` (a URL is fetched; a directory needs nothing). */
  refresh(signal: AbortSignal): Promise<void>;
  /** Starts watching or polling. Resolves once events can no longer be missed. */
  start(context: SourceContext): Promise<void>;
  close(): Promise<void>;
}

/** The source has not been fetched yet: the sync waits for it rather than counting an error. */
export class SourcePendingError extends Error {
  readonly code = 'SOURCE_PENDING';
}
