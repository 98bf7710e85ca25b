// Runs as PID 1 of a private PID namespace (run.ts starts it with unshare), so the processes measured
// are exactly the ones made here: PROCESSES `sleep`s. Then, RUNS times and interleaved, times one full
// snapshot by topz (Sampler.sample(), the code the server and --once run), `ps` asked for about the
// same fields, and pidusage over the same PIDs. Prints one JSON line. When PID 1 exits the kernel kills
// every process left in the namespace, so nothing outlives the bench.
import { execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { listPids, Sampler } from '../../packages/topz/src/index.ts';
import { childrenCpuMs, loadAverage, median, percentile, waitForProcesses } from './measure.ts';

const processes = Number(process.argv[2] ?? 1000);
const runs = Number(process.argv[3] ?? 30);
const psArgs = ['-eo', 'pid,ppid,stat,pcpu,rss,nlwp,etimes,args'];

for (let i = 0; i < processes; i++) spawn('sleep', ['600'], { stdio: 'ignore' }).unref();
await waitForProcesses('sleep', processes, 120_000);

// pidusage is not part of topz (see packages/topz/README.md); it is timed here to show what it would add.
process.env.PIDUSAGE_SILENT = '1';
const require = createRequire(join(import.meta.dirname, '../../packages/topz/package.json'));
const pidusage = require('pidusage') as (pids: number[]) => Promise<Record<string, unknown>>;

const sampler = new Sampler();
let started = performance.now();
const first = sampler.sample();
const coldMs = performance.now() - started;
sampler.sample();
await pidusage(listPids('/proc'));

const times = {
  topz: [] as number[],
  ps: [] as number[],
  pidusage: [] as number[],
  topzWithPidusage: [] as number[],
};
// CPU time too, which a busy machine sways less than wall time: topz's own, and ps's (a reaped child's).
const cpu = { topzMs: 0, psMs: 0 };
let listed = 0;
let psLines = 0;
for (let run = 0; run < runs; run++) {
  const ownCpu = process.cpuUsage();
  started = performance.now();
  listed = sampler.sample().processes.length;
  times.topz.push(performance.now() - started);
  const used = process.cpuUsage(ownCpu);
  cpu.topzMs += (used.user + used.system) / 1000;

  const childrenCpu = childrenCpuMs();
  started = performance.now();
  const output = execFileSync('ps', psArgs, { encoding: 'utf8', maxBuffer: 16 << 20 });
  times.ps.push(performance.now() - started);
  cpu.psMs += childrenCpuMs() - childrenCpu;
  psLines = output.trimEnd().split('\n').length - 1;

  started = performance.now();
  await pidusage(listPids('/proc'));
  times.pidusage.push(performance.now() - started);

  // What topz would cost with pidusage reading CPU and RSS beside it (its reads overlap topz's).
  started = performance.now();
  const usage = pidusage(listPids('/proc'));
  sampler.sample();
  await usage;
  times.topzWithPidusage.push(performance.now() - started);
}
sampler.close();

const summary = (values: number[]) => ({ medianMs: median(values), p90Ms: percentile(values, 90) });
console.log(
  JSON.stringify({
    processes: listed,
    psLines,
    firstSweepProcesses: first.processes.length,
    runs,
    coldMs,
    load: loadAverage(),
    topz: summary(times.topz),
    ps: summary(times.ps),
    pidusage: summary(times.pidusage),
    topzWithPidusage: summary(times.topzWithPidusage),
    cpuPerRun: { topzMs: cpu.topzMs / runs, psMs: cpu.psMs / runs },
  }),
);
