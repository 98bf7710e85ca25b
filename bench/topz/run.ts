// topz benchmark: `pnpm bench topz` (or node bench/topz/run.ts). Two parts, each in a private PID
// namespace made with `unshare --pid --fork --mount-proc` (root; otherwise a user namespace is added):
//   1. one full snapshot of PROCESSES (1000) `sleep`s, RUNS (30) times, next to `ps` on the same
//      processes in the same run: medians and the ratio topz/ps (target: at most 0.5).
//   2. topz's own CPU and RSS as a server at --interval 1s with SERVER_PROCESSES (200) processes over
//      IDLE_SECONDS (20) idle (targets: under 1% of a core, under 60 MB), then with a client polling.
// Bounded: each part is killed after its timeout, and with it (--kill-child, then PID 1 gone) every
// process it made.
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const repoRoot = join(import.meta.dirname, '../..');
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const processes = env('PROCESSES', 1000);
const runs = env('RUNS', 30);
const serverProcesses = env('SERVER_PROCESSES', 200);
const idleSeconds = env('IDLE_SECONDS', 20);
const targets = { ratio: 0.5, idleCpuPercent: 1, rssMB: 60 };

const namespace = ['--pid', '--fork', '--kill-child', '--mount-proc'];
if (process.getuid?.() !== 0) namespace.unshift('--user', '--map-root-user');

/** Runs a script as PID 1 of a new PID namespace and parses the JSON line it prints last. */
function inNamespace<T>(script: string, args: (string | number)[], timeoutMs: number): T {
  const run = spawnSync(
    'unshare',
    [...namespace, process.execPath, join(import.meta.dirname, script), ...args.map(String)],
    {
      encoding: 'utf8',
      timeout: timeoutMs,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  if (run.status !== 0) throw new Error(`${script} failed (${run.error?.message ?? `exit ${run.status}`})`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as T;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const verdict = (ok: boolean) => (ok ? 'meets the target' : 'MISSES the target');

console.log(`topz bench: ${processes} processes for the snapshot, ${serverProcesses} for the server\n`);
type Timing = { medianMs: number; p90Ms: number };
const snapshot = inNamespace<{
  processes: number;
  psLines: number;
  runs: number;
  coldMs: number;
  load: number;
  topz: Timing;
  ps: Timing;
  pidusage: Timing;
  topzWithPidusage: Timing;
  cpuPerRun: { topzMs: number; psMs: number };
}>('snapshot-ns.ts', [processes, runs], 240_000);
const ratio = snapshot.topz.medianMs / snapshot.ps.medianMs;
console.log(
  `1. One snapshot of every process (${snapshot.processes} seen by topz, ${snapshot.psLines} by ps), median of ${snapshot.runs} runs, load ${snapshot.load}:`,
);
console.log(
  `   ps -eo pid,ppid,stat,pcpu,rss,nlwp,etimes,args   ${ms(snapshot.ps.medianMs)} (p90 ${ms(snapshot.ps.p90Ms)})`,
);
console.log(
  `   topz Sampler.sample()                          ${ms(snapshot.topz.medianMs)} (p90 ${ms(snapshot.topz.p90Ms)})`,
);
console.log(
  `   ratio topz/ps ${ratio.toFixed(2)}: ${verdict(ratio <= targets.ratio)} (at most ${targets.ratio})`,
);
console.log(
  `   CPU time per run (less swayed by a busy machine): topz ${ms(snapshot.cpuPerRun.topzMs)}, ps ${ms(snapshot.cpuPerRun.psMs)}, ratio ${(snapshot.cpuPerRun.topzMs / snapshot.cpuPerRun.psMs).toFixed(2)}`,
);
console.log(`   topz's first sweep, opening every file: ${ms(snapshot.coldMs)}`);
console.log(
  `   pidusage alone over the same PIDs (CPU and RSS only): ${ms(snapshot.pidusage.medianMs)}; topz with it beside: ${ms(snapshot.topzWithPidusage.medianMs)} (ratio ${(snapshot.topzWithPidusage.medianMs / snapshot.ps.medianMs).toFixed(2)})\n`,
);

execFileSync(process.execPath, [join(repoRoot, 'scripts/build.ts'), 'topz'], {
  stdio: ['ignore', 'ignore', 'inherit'],
});
type Usage = { seconds: number; cpuPercent: number; rssMeanMB: number; rssMaxMB: number };
const server = inNamespace<{
  processes: number;
  load: number;
  sweepMs: number;
  idle: Usage;
  polled: Usage;
  exitCode: number;
}>(
  'server-ns.ts',
  [join(repoRoot, 'packages/topz/dist/topz.mjs'), serverProcesses, idleSeconds],
  (idleSeconds * 2 + 90) * 1000,
);
const usage = (u: Usage) =>
  `CPU ${u.cpuPercent.toFixed(2)}% of a core, RSS ${u.rssMeanMB.toFixed(1)} MB mean / ${u.rssMaxMB.toFixed(1)} MB max over ${u.seconds.toFixed(0)} s`;
console.log(
  `2. topz serving (the bundle), --interval 1s, ${server.processes} processes, load ${server.load}, a sweep ${ms(server.sweepMs)}:`,
);
console.log(`   idle:   ${usage(server.idle)}`);
console.log(
  `           ${verdict(server.idle.cpuPercent < targets.idleCpuPercent)} (under ${targets.idleCpuPercent}% of a core), ${verdict(server.idle.rssMaxMB < targets.rssMB)} (under ${targets.rssMB} MB)`,
);
console.log(`   polled: ${usage(server.polled)} (/api/processes each second, /metrics each 5 s)`);
console.log(`   SIGTERM: exit ${server.exitCode}`);
