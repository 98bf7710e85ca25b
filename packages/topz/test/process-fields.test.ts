import { spawnBundleAs } from '@toolkit/test-helpers';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../src/index.ts';
import { bundle, expectBundle } from './helpers/bundle.ts';
import { Children, readProc, statusField, waitFor, waitForExec } from './helpers/children.ts';
import { find, Samplers } from './helpers/samplers.ts';

// Context switches, PSS, swap and the open-files limit, checked against the kernel's own files.
const children = new Children();
const samplers = new Samplers();
afterEach(async () => {
  await children.killAll();
  samplers.closeAll();
});

const kib = (text: string | undefined) => Number(/(\d+) kB/.exec(text ?? '')?.[1] ?? Number.NaN) * 1024;

describe('more per-process fields', () => {
  it('counts voluntary and involuntary context switches as /proc/<pid>/status does', async () => {
    // Sleeps of 5 ms: each wake-up of the main thread is a voluntary switch.
    const child = children.node('setInterval(() => {}, 5);');
    const switches = () => Number(statusField(child.pid!, 'voluntary_ctxt_switches'));
    await waitFor(() => switches() > 20, 10_000, 'the child to sleep and wake');
    const before = switches();
    const process = find(samplers.create().sample(), child.pid)!;
    const after = Number(statusField(child.pid!, 'voluntary_ctxt_switches'));
    expect(before).toBeGreaterThan(20);
    expect(process.voluntaryContextSwitches).toBeGreaterThanOrEqual(before);
    expect(process.voluntaryContextSwitches).toBeLessThanOrEqual(after);
    expect(process.involuntaryContextSwitches).toBeGreaterThanOrEqual(0);
    expect(process.involuntaryContextSwitches).toBeLessThanOrEqual(
      Number(statusField(child.pid!, 'nonvoluntary_ctxt_switches')),
    );
  });

  it('reads PSS from smaps_rollup and swap from VmSwap', async () => {
    const child = children.node(
      'const keep = Buffer.alloc(64 << 20, 1); setInterval(() => keep[0]++, 1000);',
    );
    await waitFor(() => kib(statusField(child.pid!, 'RssAnon')) >= 64 << 20, 15_000, '64 MiB touched');
    const process = find(samplers.create().sample(), child.pid)!;
    const pss = kib(/^Pss:.*$/m.exec(readProc(child.pid!, 'smaps_rollup') ?? '')?.[0]);
    // The 64 MiB are private, so PSS holds them whole; it never exceeds RSS.
    expect(process.pssBytes).toBeGreaterThanOrEqual(64 << 20);
    expect(process.pssBytes).toBeLessThanOrEqual(process.rssBytes);
    expect(Math.abs(process.pssBytes! - pss)).toBeLessThan(8 << 20);
    expect(process.swapBytes).toBe(kib(statusField(child.pid!, 'VmSwap')));
  });

  it('reads the open-files limit of each process, and the share of it in use', async () => {
    const child = children.spawn('sh', ['-c', 'ulimit -n 77; exec sleep 30']);
    await waitForExec(child.pid!, 'sleep');
    const process = find(samplers.create().sample(), child.pid)!;
    expect(process.fdLimit).toBe(77);
    expect(process.fds).toBeGreaterThan(0);
    expect(process.fdLimitPercent).toBe(Math.round((process.fds! / 77) * 1000) / 10);
  });

  it('leaves PSS unread with a detail interval of 0, and reads it again after the interval', async () => {
    const child = children.spawn('sleep', ['30']);
    await waitForExec(child.pid!, 'sleep');
    expect(find(samplers.create({ detailIntervalMs: 0 }).sample(), child.pid)?.pssBytes).toBeNull();
    const sampler = samplers.create({ detailIntervalMs: 200 });
    expect(find(sampler.sample(), child.pid)?.pssBytes).toBeGreaterThan(0);
  });
});

// The bundle as uid 65534 over root's processes: what the kernel refuses is null, the rest is there.

describe('as another uid, without capabilities (the bundle)', () => {
  beforeAll(() => {
    expectBundle();
  });

  it.skipIf(process.getuid?.() !== 0)(
    'gives null PSS and I/O for a root process, its limit and switches still',
    async () => {
      const child = children.spawn('sleep', ['31']);
      await waitForExec(child.pid!, 'sleep');
      const result = spawnBundleAs(
        { uid: 65534, gid: 65534 },
        bundle,
        ['--once', '--format', 'json', '--interval', '100ms'],
        { timeoutMs: 20_000 },
      );
      expect(result.status, result.stderr).toBe(0);
      const process_ = (JSON.parse(result.stdout) as Snapshot).processes.find((p) => p.pid === child.pid)!;
      expect(process_).toMatchObject({ pssBytes: null, ioReadBytes: null, fdLimit: expect.any(Number) });
      expect(process_.voluntaryContextSwitches).toEqual(expect.any(Number));
      expect(process_.swapBytes).toBe(0);
    },
  );
});
