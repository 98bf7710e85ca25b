import { closeSync, openSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { formatCommand } from '../src/index.ts';
import {
  Children,
  machineIsQuiet,
  readProc,
  runtimeNs,
  sleep,
  statusField,
  waitFor,
  waitForExec,
} from './helpers/children.ts';
import { find, Samplers } from './helpers/samplers.ts';

// What one sweep reads of real processes, checked against /proc and the kernel's own clocks.
const children = new Children();
const samplers = new Samplers();
afterEach(async () => {
  await children.killAll();
  samplers.closeAll();
});

describe('Sampler, on real processes', () => {
  it('reads pid, ppid, state, threads, user, start time, command line, fds and cgroup', async () => {
    const child = children.spawn('sleep', ['30']);
    await waitForExec(child.pid!, 'sleep');
    const process = find(samplers.create().sample(), child.pid);
    expect(process).toMatchObject({
      ppid: globalThis.process.pid,
      uid: globalThis.process.getuid!(),
      user: 'root',
      state: 'S',
      threads: 1,
      comm: 'sleep',
      cmdline: 'sleep 30',
      nice: 0,
    });
    // An independent count: the listing of its fd directory (3 stdio, plus what the runner leaks).
    expect(process!.fds).toBe(readdirSync(`/proc/${child.pid}/fd`).length);
    expect(process!.ageSeconds).toBeLessThan(5);
    expect(Math.abs(Date.parse(process!.startTime) - Date.now())).toBeLessThan(5000);
    expect(process!.rssBytes).toBeGreaterThan(100_000);
    expect(process!.vszBytes).toBeGreaterThan(process!.rssBytes);
    expect(process!.ioReadBytes).toEqual(expect.any(Number));
    const cgroupLine = readProc(child.pid!, 'cgroup')!
      .split('\n')
      .find((line) => /:memory:|^0::/.test(line));
    expect(cgroupLine?.endsWith(`:${process!.cgroup}`)).toBe(true);
  });

  it('counts open fds exactly', async () => {
    const extra = Array.from({ length: 10 }, () => openSync('/dev/null', 'r'));
    const plain = children.spawn('sleep', ['30']);
    const child = children.spawn('sleep', ['30'], { stdio: ['ignore', 'ignore', 'ignore', ...extra] });
    for (const fd of extra) closeSync(fd);
    await waitForExec(plain.pid!, 'sleep');
    await waitForExec(child.pid!, 'sleep');
    const snapshot = samplers.create().sample();
    expect(find(snapshot, child.pid)?.fds).toBe(find(snapshot, plain.pid)!.fds! + 10);
    expect(find(snapshot, child.pid)?.fds).toBe(readdirSync(`/proc/${child.pid}/fd`).length);
  });

  it('counts threads as /proc/<pid>/status does', async () => {
    const child = children.node(
      "const { Worker } = require('node:worker_threads'); for (let i = 0; i < 4; i++) new Worker('setInterval(() => {}, 1000)', { eval: true }); setInterval(() => {}, 1000);",
    );
    // Node starts its own threads too: wait until the count holds still.
    let last = '';
    await waitFor(() => {
      const now = statusField(child.pid!, 'Threads') ?? '';
      const steady = now === last && Number(now) >= 5;
      last = now;
      return steady;
    }, 10_000);
    await sleep(200);
    const threads = find(samplers.create().sample(), child.pid)?.threads;
    expect(threads).toBe(Number(statusField(child.pid!, 'Threads')));
    expect(threads).toBeGreaterThanOrEqual(5);
  });

  it('shows stopped processes and zombies', async () => {
    const stopped = children.spawn('sleep', ['30']);
    await waitForExec(stopped.pid!, 'sleep');
    stopped.kill('SIGSTOP');
    await waitFor(() => readProc(stopped.pid!, 'stat')?.includes(') T '));
    // The short sleep exits, and its parent (now `sleep 30`, which never waits) leaves it a zombie.
    const parent = children.spawn('sh', ['-c', 'sleep 0.05 & exec sleep 30']);
    const sampler = samplers.create();
    const zombie = await waitFor(
      () => sampler.sample().processes.find((p) => p.ppid === parent.pid && p.state === 'Z'),
      5000,
      'a zombie',
    );
    expect(zombie).toMatchObject({ comm: 'sleep', cmdline: '', threads: 1, rssBytes: 0 });
    expect(formatCommand(zombie)).toBe('[sleep]');
    const snapshot = sampler.sample();
    expect(find(snapshot, stopped.pid)?.state).toBe('T');
    expect(snapshot.totals.byState.Z).toBeGreaterThanOrEqual(1);
    expect(snapshot.totals.byState.T).toBeGreaterThanOrEqual(1);
  });

  it('measures CPU% over the interval: a busy child near one core, an idle one at 0', async () => {
    const busy = children.spawn('nice', ['-n', '-5', globalThis.process.execPath, '-e', 'for (;;) {}']);
    const idle = children.spawn('sleep', ['30']);
    await waitForExec(idle.pid!, 'sleep');
    await sleep(200);
    const require = createRequire(import.meta.url);
    const pidusage = require('pidusage') as typeof import('pidusage');
    const sampler = samplers.create();
    const quiet = machineIsQuiet();
    const startedNs = runtimeNs(busy.pid!);
    const startedAt = performance.now();
    const first = sampler.sample();
    await pidusage(busy.pid!);
    await sleep(1000);
    const second = sampler.sample();
    const reference = await pidusage(busy.pid!);
    // What the kernel says it ran, in ns, over about the same second.
    const kernelPercent = (runtimeNs(busy.pid!) - startedNs) / 1e4 / (performance.now() - startedAt);
    const [before, after] = [find(first, busy.pid)!, find(second, busy.pid)!];
    if (quiet) expect(after.cpuPercent).toBeGreaterThan(50);
    else expect(after.cpuPercent).toBeGreaterThan(10);
    expect(after.cpuPercent).toBeLessThanOrEqual(105);
    expect(Math.abs(after.cpuPercent - kernelPercent)).toBeLessThan(12);
    // Same method as pidusage (the reference): CPU time over wall time, 100 = one core.
    expect(Math.abs(after.cpuPercent - reference.cpu)).toBeLessThan(15);
    // The CPU time it gained over the sweep interval (each process has its own read times, so loosely).
    const expected = ((after.cpuSeconds - before.cpuSeconds) / (second.intervalMs / 1000)) * 100;
    // Under load the per-process read times drift from the sweep's start by tens of ms: allow a share.
    expect(Math.abs(after.cpuPercent - expected)).toBeLessThan(Math.max(12, expected * 0.25));
    expect(find(second, idle.pid)?.cpuPercent).toBe(0);
    expect(second.totals.cpuPercent).toBeGreaterThanOrEqual(after.cpuPercent);
  });
});

describe('Sampler, the CPU split and page faults', () => {
  it('splits CPU time into user and system, and counts the page faults of touched memory', async () => {
    // 64 MiB filled: at least one minor fault per page. dd copying one byte at a time: system time.
    const memory = children.node('const b = Buffer.alloc(64 << 20, 1); setInterval(() => b[0]++, 1000);');
    const syscalls = children.spawn('dd', ['if=/dev/zero', 'of=/dev/null', 'bs=1', 'count=100000000']);
    const sampler = samplers.create();
    const pageSize = sampler.system.pageSize;
    await waitFor(() => Number(statusField(memory.pid!, 'VmRSS')?.split(' ')[0]) * 1024 >= 64 << 20, 15_000);
    await waitFor(() => runtimeNs(syscalls.pid!) > 300e6, 15_000, 'dd to run 0.3 s');
    // minflt, field 10 of stat, read here on its own: topz's count lies between a read before and after.
    const minorFaults = () => Number(readProc(memory.pid!, 'stat')!.split(') ')[1]!.split(' ')[7]);
    const before = minorFaults();
    const snapshot = sampler.sample();
    const after = minorFaults();
    const filled = find(snapshot, memory.pid)!;
    expect(filled.minorFaults).toBeGreaterThanOrEqual(before);
    expect(filled.minorFaults).toBeLessThanOrEqual(after);
    // One fault per page at least, or per 2 MiB huge page where transparent huge pages serve it.
    expect(filled.minorFaults).toBeGreaterThanOrEqual((64 << 20) / Math.max(pageSize, 2 << 20));
    expect(filled.majorFaults).toBeGreaterThanOrEqual(0);
    const copying = find(snapshot, syscalls.pid)!;
    expect(copying.cpuSystemSeconds).toBeGreaterThan(0);
    for (const process of [filled, copying]) {
      expect(process.cpuUserSeconds + process.cpuSystemSeconds).toBeCloseTo(process.cpuSeconds, 5);
    }
  });
});
