import type { HistoryPoint } from '../sampling-loop.ts';
import type { Snapshot } from '../snapshot.ts';

/** What the page reads from /api/processes: a snapshot, the totals history, and whether signals are on. */
export type PageSnapshot = Snapshot & { history: HistoryPoint[]; signalsEnabled: boolean };
