// config-syncer benchmark: change → notification latency (p50/p99 over CHANGES changes, no debounce)
// for a single file and for a ConfigMap-shaped volume (ten 4 KB files behind a `..data` swap) with
// --fsync auto on the bench directory's filesystem, --fsync never, and a tmpfs target, in interleaved
// rounds, next to `cp` + rename in the same run; then where a ConfigMap change's time goes, and CPU
// and RSS while idle watching 1,000 files.
// Usage: node bench/config-syncer/run.ts   (env: CHANGES=300 IDLE_SECONDS=15, 0 skips idle;
// CONFIG_SYNCER_BASELINE=path/to/config-syncer.mjs[,...] adds a ConfigMap run of each other build)
// Bounded: each change waits at most 5 s, each idle window IDLE_SECONDS.
// First, as in the program: the breakdown below runs its publish code in this process.
import '../../packages/config-syncer/src/thread-pool.ts';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureBreakdown } from './breakdown.ts';
import { measureIdle } from './idle.ts';
import { measureLatency, type Shape, type Summary } from './latency.ts';
import { repoRoot } from './syncer-process.ts';

const changes = Math.max(200, Number(process.env.CHANGES ?? 300));
const idleSeconds = Number(process.env.IDLE_SECONDS ?? 15);
const targets = { p99Ms: 50, idleCpuPercent: 0.5, rssMiB: 60 };

execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build.ts'), 'config-syncer'], {
  stdio: 'inherit',
});
const dir = mkdtempSync(join(tmpdir(), 'config-syncer-bench-'));
const tmpfsMagic = 0x01021994;
const onTmpfs = (path: string) => {
  try {
    return statfsSync(path).type === tmpfsMagic;
  } catch {
    return false;
  }
};
// A tmpfs target (an emptyDir with medium: Memory), where --fsync auto does not fsync.
const memoryDir = onTmpfs('/dev/shm') ? mkdtempSync('/dev/shm/config-syncer-bench-') : undefined;
const benchFs = onTmpfs(dir) ? 'tmpfs' : 'disk';
const baselines = (process.env.CONFIG_SYNCER_BASELINE ?? '').split(',').filter(Boolean);
const shapes: Shape[] = [
  { label: 'one file', source: 'file' },
  { label: `ConfigMap, auto (${benchFs})`, source: 'configmap' },
  { label: 'ConfigMap, --fsync never', source: 'configmap', args: ['--fsync', 'never'] },
  ...(memoryDir
    ? [{ label: 'ConfigMap, auto (tmpfs)', source: 'configmap', targetIn: memoryDir } as const]
    : []),
  ...baselines.map(
    (program, i) => ({ label: `ConfigMap, baseline ${i + 1}`, source: 'configmap', program }) as const,
  ),
];
try {
  const latency = await measureLatency(dir, changes, shapes);
  const ms = (n: number) => `${n.toFixed(2)} ms`;
  const line = (label: string, s: Summary) =>
    console.log(`  ${label.padEnd(28)} p50 ${ms(s.p50)}  p99 ${ms(s.p99)}  max ${ms(s.max)}`);
  console.log(`\nchange → webhook notification, ${latency.changes} changes each, --debounce 0s`);
  for (const { label, summary } of latency.shapes) line(label, summary);
  line('cp + rename', latency.cpRename);
  const ratio = (a: Summary, b: Summary) =>
    `p50 ${(a.p50 / b.p50).toFixed(1)}×  p99 ${(a.p99 / b.p99).toFixed(1)}×`;
  const [oneFile, ...configMaps] = latency.shapes;
  console.log(`  ratio (one file / cp+rename)   ${ratio(oneFile!.summary, latency.cpRename)}`);
  for (const { label, summary } of configMaps) {
    console.log(`  ratio (${label} / one file)   ${ratio(summary, oneFile!.summary)}`);
  }

  const breakdown = await measureBreakdown(dir, Math.min(changes, 100));
  console.log(`\nwhere a ConfigMap change's time goes (in process, ${breakdown.swaps} swaps)`);
  for (const [phase, s] of Object.entries(breakdown.phases)) {
    console.log(`  ${phase.padEnd(24)} p50 ${ms(s.p50)}  p99 ${ms(s.p99)}`);
  }
  console.log(`ten files alone (temp files, renames, directory), ${benchFs}, in alternate rounds`);
  for (const [label, s] of Object.entries(breakdown.writes)) {
    console.log(`  ${label.padEnd(36)} p50 ${ms(s.p50)}  p99 ${ms(s.p99)}`);
  }

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
  for (const { label, summary } of latency.shapes) {
    console.log(`  p99 < ${targets.p99Ms} ms, ${label}: ${verdict(summary.p99 < targets.p99Ms)}`);
  }
  if (inotify) {
    console.log(
      `  idle CPU < ${targets.idleCpuPercent}%: ${verdict(inotify.cpuPercent < targets.idleCpuPercent)}`,
    );
    console.log(`  RSS < ${targets.rssMiB} MB: ${verdict(inotify.rssMiB < targets.rssMiB)}`);
  }
  console.log(JSON.stringify({ benchmark: 'config-syncer', latency, breakdown, idle }));
} finally {
  rmSync(dir, { recursive: true, force: true });
  if (memoryDir) rmSync(memoryDir, { recursive: true, force: true });
}
