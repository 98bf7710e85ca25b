import { renderSummary, renderTable } from './render-text.ts';
import type { Sampler } from './sampler.ts';
import type { Snapshot } from './snapshot.ts';

export interface OnceOptions {
  format: 'text' | 'json';
  /** Cut table lines to this width (a terminal's); whole lines when undefined. */
  width?: number;
}

/** `topz --once`: a first reading, a second one `intervalMs` later, then the output of the second. */
export async function takeOneSnapshot(sampler: Sampler, intervalMs: number): Promise<Snapshot> {
  sampler.sample();
  await new Promise((resolve) => setTimeout(resolve, intervalMs));
  return sampler.sample();
}

export function renderOnce(snapshot: Snapshot, options: OnceOptions): string {
  if (options.format === 'json') return `${JSON.stringify(snapshot, null, 2)}\n`;
  return (
    renderSummary(snapshot) +
    renderTable(snapshot.processes, { wide: true, sort: 'cpu', width: options.width })
  );
}
