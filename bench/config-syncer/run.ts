// config-syncer benchmark: change → notification latency (p50/p99 over CHANGES changes, no debounce)
// for a single file and for a ConfigMap-shaped volume (ten 4 KB files behind a `..data` swap), in
// interleaved rounds, next to `cp` + rename in the same run; then CPU and RSS while idle watching
// 1,000 files. Usage: node bench/config-syncer/run.ts   (env: CHANGES=300 IDLE_SECONDS=15; 0 skips idle)
// Bounded: each change waits at most 5 s, each idle window IDLE_SECONDS.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureBreakdown } from './breakdown.ts';
import { measureIdle } from './idle.ts';
import { measureLatency, type Summary } from './latency.ts';
import { repoRoot } from './syncer-process.ts';

const changes = Math.max(200, Number(process.env.CHANGES ?? 300));
const idleSeconds = Number(process.env.IDLE_SECONDS ?? 15);
const targets = { p99Ms: 50, idleCpuPercent: 0.5, rssMiB: 60 };

execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build.ts'), 'config-syncer'], {
  stdio: 'inherit',
});
const dir = mkdtempSync(join(tmpdir(), 'config-syncer-bench-'));
try {
  const latency = await measureLatency(dir, changes);
  const ms = (n: number) => `${n.toFixed(2)} ms`;
  const line = (label: string, s: Summary) =>
    console.log(`  ${label.padEnd(24)} p50 ${ms(s.p50)}  p99 ${ms(s.p99)}  max ${ms(s.max)}`);
  console.log(`\nchange → webhook notification, ${latency.changes} changes each, --debounce 0s`);
  line('config-syncer, one file', latency.syncer);
  line('config-syncer, ConfigMap', latency.configMap);
  line('cp + rename', latency.cpRename);
  const ratio = (a: Summary, b: Summary) =>
    `p50 ${(a.p50 / b.p50).toFixed(1)}×  p99 ${(a.p99 / b.p99).toFixed(1)}×`;
  console.log(`  ratio (one file / cp+rename)   ${ratio(latency.syncer, latency.cpRename)}`);
  console.log(`  ratio (ConfigMap / one file)   ${ratio(latency.configMap, latency.syncer)}`);

  const breakdown = await measureBreakdown(dir, Math.min(changes, 100));
  console.log(`\nwhere a ConfigMap change's time goes (in process, ${breakdown.swaps} swaps)`);
  for (const [phase, s] of Object.entries(breakdown.phases)) {
    console.log(`  ${phase.padEnd(24)} p50 ${ms(s.p50)}  p99 ${ms(s.p99)}`);
  }
  const { sequential, concurrent } = breakdown.writes;
  console.log(`  ten files written one after another  p50 ${ms(sequential.p50)}  p99 ${ms(sequential.p99)}`);
  console.log(`  ten files written eight at a time     p50 ${ms(concurrent.p50)}  p99 ${ms(concurrent.p99)}`);

  const idle =
    idleSeconds > 0
      ? [
          await measureIdle(dir, 1000, idleSeconds, 'inotify'),
          await measureIdle(dir, 1000, idleSeconds, 'inotify-resync-5s', ['--resync-interval', '5s']),
          await measureIdle(dir, 1000, idleSeconds, 'polling', ['--watch-polling']),
        ]
      : [];
  if (idle.length > 0) console.log(`\nidle, watching 1,000 files, ${idleSeconds} s each`);
  for (const run of idle) {
    console.log(
      `  ${run.label.padEnd(20)} CPU ${run.cpuPercent.toFixed(2)}% of a core   RSS ${run.rssMiB.toFixed(1)} MiB`,
    );
  }
  const [inotify] = idle;
  console.log('\ntargets');
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  console.log(`  p99 < ${targets.p99Ms} ms, one file: ${verdict(latency.syncer.p99 < targets.p99Ms)}`);
  console.log(`  p99 < ${targets.p99Ms} ms, ConfigMap: ${verdict(latency.configMap.p99 < targets.p99Ms)}`);
  if (inotify) {
    console.log(
      `  idle CPU < ${targets.idleCpuPercent}%: ${verdict(inotify.cpuPercent < targets.idleCpuPercent)}`,
    );
    console.log(`  RSS < ${targets.rssMiB} MB: ${verdict(inotify.rssMiB < targets.rssMiB)}`);
  }
  console.log(JSON.stringify({ benchmark: 'config-syncer', latency, breakdown, idle }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
