import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPressure, parsePressure, readCgroupPressure, type Snapshot } from '../src/index.ts';
import { bundle, expectBundle } from './helpers/bundle.ts';

// Pressure, throttling and OOM kills of topz's own cgroup, read from real cgroups this test makes (root):
// the v1 cpu and memory controllers with a quota and a limit, and the v2 hierarchy for PSI, where the
// machine has them (this one is hybrid: v1 controllers, PSI in /sys/fs/cgroup/unified).
const name = `topz-pressure-${process.pid}`;
const dirs = {
  cpu: `/sys/fs/cgroup/cpu/${name}`,
  memory: `/sys/fs/cgroup/memory/${name}`,
  unified: `/sys/fs/cgroup/unified/${name}`,
};
const canMake =
  process.getuid?.() === 0 &&
  existsSync('/sys/fs/cgroup/cpu/cpu.cfs_quota_us') &&
  existsSync('/sys/fs/cgroup/memory/memory.oom_control');

describe('pressure files', () => {
  it('parses PSI lines, and says in words what is unreadable', () => {
    const stall = parsePressure(
      'some avg10=1.50 avg60=0.25 avg300=0.00 total=2500000\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=1000\n',
    );
    expect(stall).toEqual({
      some: { avg10: 1.5, avg60: 0.25, avg300: 0, totalSeconds: 2.5 },
      full: { avg10: 0, avg60: 0, avg300: 0, totalSeconds: 0.001 },
    });
    const none = readCgroupPressure({ unified: null, unifiedPath: null, cpuV1: null, memoryV1: null });
    expect(none).toMatchObject({
      path: null,
      cpu: null,
      memory: null,
      io: null,
      throttling: null,
      oomKills: null,
    });
    expect(none.unavailable.join('\n')).toMatch(
      /not in a cgroup v2 hierarchy.*\n.*CPU throttling.*\n.*OOM kills/,
    );
    expect(formatPressure(none)).toMatch(/^no pressure readable\. Not readable: pressure \(PSI\)/);
  });
});

describe.skipIf(!canMake)('in a cgroup with a CPU quota and a memory limit (real, as root)', () => {
  beforeAll(() => {
    for (const dir of Object.values(dirs)) if (existsSync(dir.replace(`/${name}`, ''))) mkdirSync(dir);
    writeFileSync(`${dirs.cpu}/cpu.cfs_period_us`, '100000');
    writeFileSync(`${dirs.cpu}/cpu.cfs_quota_us`, '50000');
    writeFileSync(`${dirs.memory}/memory.limit_in_bytes`, String(192 << 20));
    expectBundle();
  });
  afterAll(() => {
    for (const dir of Object.values(dirs)) {
      if (!existsSync(dir)) continue;
      // The busy loop ends by itself after 8 s; anything left is killed so the cgroup can go.
      for (const pid of readFileSync(`${dir}/cgroup.procs`, 'utf8').split('\n').filter(Boolean))
        process.kill(Number(pid), 'SIGKILL');
    }
    spawnSync('sleep', ['0.5']);
    for (const dir of Object.values(dirs)) if (existsSync(dir)) rmdirSync(dir);
  });

  it('reports throttled periods, the OOM kill of a sibling, and PSI, as the kernel counts them', () => {
    const join_ = Object.values(dirs)
      .filter((dir) => existsSync(dir))
      .map((dir) => `echo $$ > ${dir}/cgroup.procs`)
      .join('; ');
    // In the cgroup: a hog the OOM killer kills, a busy loop held to 0.5 cores, then topz itself.
    const script = [
      join_,
      `${process.execPath} -e 'const a = []; for (;;) a.push(Buffer.alloc(1 << 20, 1))' 2>/dev/null`,
      `${process.execPath} -e 'const end = Date.now() + 8000; while (Date.now() < end);' &`,
      'sleep 1',
      `exec ${process.execPath} ${bundle} --once --format json --interval 1s`,
    ].join('\n');
    const run = spawnSync('sh', ['-c', script], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    const snapshot = JSON.parse(run.stdout) as Snapshot;
    const { pressure } = snapshot;
    expect(pressure.oomKills).toBe(
      Number(/^oom_kill (\d+)$/m.exec(readFileSync(`${dirs.memory}/memory.oom_control`, 'utf8'))![1]),
    );
    expect(pressure.oomKills).toBeGreaterThanOrEqual(1);
    expect(pressure.throttling!.throttledPeriods).toBeGreaterThan(0);
    expect(pressure.throttling!.periods).toBeGreaterThanOrEqual(pressure.throttling!.throttledPeriods);
    expect(pressure.throttling!.throttledSeconds).toBeGreaterThan(0);
    if (existsSync(dirs.unified)) {
      expect(pressure.path).toBe(`/${name}`);
      expect(pressure.cpu?.some.totalSeconds).toEqual(expect.any(Number));
      expect(pressure.memory).not.toBeNull();
      // PSI is there; throttling and OOM kills came from v1 (the v2 cgroup has no controllers here).
      expect(pressure.unavailable).toEqual([]);
    }
  }, 90_000);
});
