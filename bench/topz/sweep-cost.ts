// CPU per sweep of topz's Sampler over ~200 processes, before and after a change:
//   node bench/topz/sweep-cost.ts [--before /path/to/other/checkout] [--processes 200] [--rounds 15]
// Spawns PROCESSES `sleep`s, then interleaves rounds: SWEEPS sweeps of each sampler, CPU time
// (process.cpuUsage, user + system) per sweep, medians of the rounds and the ratio after/before.
// "after" also adds each sweep to --group-by comm groups (GroupTotals), as a server with groups does.
// Bounded: the sleeps are killed at the end (and last 600 s at most).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadAverage, median } from './measure.ts';

const { values } = parseArgs({
  options: {
    before: { type: 'string' },
    processes: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '30' },
    sweeps: { type: 'string', default: '10' },
  },
});
const after = await import(join(import.meta.dirname, '../../packages/topz/src/index.ts'));
const before = values.before ? await import(join(values.before, 'packages/topz/src/index.ts')) : undefined;
const sleeps = Array.from({ length: Number(values.processes) }, () =>
  spawn('sleep', ['600'], { stdio: 'ignore' }),
);
await new Promise((resolve) => setTimeout(resolve, 1500));

type Sampler = { sample(): { processes: unknown[] }; close(): void };
const cpuMsPerSweep = (
  sampler: Sampler,
  sweeps: number,
  onSnapshot?: (s: { processes: unknown[] }) => void,
) => {
  const start = process.cpuUsage();
  for (let i = 0; i < sweeps; i++) {
    const snapshot = sampler.sample();
    onSnapshot?.(snapshot);
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / sweeps;
};

const samplers: Record<string, { sampler: Sampler; onSnapshot?: (s: { processes: unknown[] }) => void }> = {};
if (before) samplers.before = { sampler: new before.Sampler() };
samplers.after = { sampler: new after.Sampler() };
samplers['after, --pss-interval 0'] = { sampler: new after.Sampler({ detailIntervalMs: 0 }) };
const groups = new after.GroupTotals(after.createGroupNamer([], 'comm'), 100);
samplers['after, with --group-by comm'] = {
  sampler: new after.Sampler(),
  onSnapshot: (snapshot) => groups.update(snapshot.processes),
};
const results: Record<string, number[]> = Object.fromEntries(Object.keys(samplers).map((k) => [k, []]));
let seen = 0;
for (const { sampler } of Object.values(samplers)) seen = sampler.sample().processes.length; // open files
for (let round = 0; round < Number(values.rounds); round++) {
  for (const [name, { sampler, onSnapshot }] of Object.entries(samplers)) {
    results[name]!.push(cpuMsPerSweep(sampler, Number(values.sweeps), onSnapshot));
  }
}
for (const { sampler } of Object.values(samplers)) sampler.close();
for (const child of sleeps) child.kill('SIGKILL');

console.log(
  `topz sweep cost: ${seen} processes, ${values.rounds} interleaved rounds of ${values.sweeps} sweeps, load ${loadAverage()}`,
);
const base = results.before ? median(results.before) : undefined;
for (const [name, values_] of Object.entries(results)) {
  const ms = median(values_);
  const mean = values_.reduce((a, b) => a + b, 0) / values_.length;
  const ratio = base ? ` (×${(ms / base).toFixed(2)} of before)` : '';
  // The mean takes in the sweeps that read smaps_rollup and limits again (each process every 10 s).
  console.log(
    `  ${name.padEnd(30)} ${ms.toFixed(2)} ms CPU per sweep, median${ratio}; mean ${mean.toFixed(2)} ms`,
  );
}
