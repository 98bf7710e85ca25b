import { describeError, type Logger } from '@toolkit/lifecycle';
import type { SyncerMetrics } from '../metrics.ts';
import type { FileSet } from '../snapshot.ts';
import { type Source, SourcePendingError } from './source.ts';

export type SourceFiles = { source: string; files: FileSet }[];

/**
 * Reads every source, or none: if one cannot be read the sync stops there, since publishing the
 * others alone would remove the missing source's files from the target. `pending` when a source has
 * not answered yet (a URL before its first fetch), `failed` when one could not be read.
 */
export async function readSources(
  sources: readonly Source[],
  log: Logger,
  metrics: SyncerMetrics,
): Promise<SourceFiles | 'pending' | 'failed'> {
  const parts: SourceFiles = [];
  for (const source of sources) {
    try {
      parts.push({ source: source.label, files: await source.read({ log, metrics }) });
    } catch (error) {
      if (error instanceof SourcePendingError) return 'pending';
      metrics.sourceErrors.inc({ source: source.label });
      log.warn(
        { source: source.label, err: describeError(error) },
        'cannot read source; keeping the last good config',
      );
      return 'failed';
    }
  }
  return parts;
}
