import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readOpenFilesLimit } from '../src/index.ts';
import { Children, machineIsQuiet, readProc, sleep, waitFor, waitForExec } from './helpers/children.ts';
import { find, heldProcFiles, Samplers } from './helpers/samplers.ts';

// topz's open files stay bounded whatever the number of processes: a held handle per process only
// while the fd budget lasts, the rest read by path (issue 12 §6: EMFILE with 400 processes under 1024).
const children = new Children();
const samplers = new Samplers();
afterEach(async () => {
  await children.killAll();
  samplers.closeAll();
});

describe('Sampler fd budget', () => {
  it('holds files for no more processes than maxHeldFds allows, and reads the others as fully', async () => {
    const pids = new Set<number>();
    for (let i = 0; i < 30; i++) pids.add(children.spawn('sleep', ['41', String(i)]).pid!);
    const busy = children.spawn(process.execPath, ['-e', 'for (;;) {}']);
    for (const pid of pids) await waitForExec(pid, 'sleep');
    const sampler = samplers.create({ maxHeldFds: 50 });
    sampler.sample();
    await sleep(300);
    const snapshot = sampler.sample();
    expect(sampler.heldFds).toBeLessThanOrEqual(50);
    expect(heldProcFiles(new Set(snapshot.processes.map((p) => p.pid)))).toBeLessThanOrEqual(50);
    for (const [i, pid] of [...pids].entries()) {
      const process = find(snapshot, pid);
      expect(process).toMatchObject({ cmdline: `sleep 41 ${i}`, state: 'S', threads: 1 });
      expect(process!.fds).toBe(readdirSync(`/proc/${pid}/fd`).length);
      expect(process!.ppid).toBe(globalThis.process.pid);
    }
    // The busy loop came last, past the budget: its CPU% is still measured over the interval.
    expect(sampler.heldFds + 5).toBeGreaterThan(50);
    const spinning = find(snapshot, busy.pid);
    expect(spinning!.cpuPercent).toBeGreaterThan(machineIsQuiet() ? 50 : 1);
    expect(spinning!.cpuPercent).toBeLessThan(200);
  });

  it('reads the soft open-files limit from /proc/self/limits', () => {
    const soft = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'latin1'))![1];
    expect(readOpenFilesLimit()).toBe(Number(soft));
    expect(readOpenFilesLimit('/nonexistent')).toBe(1024);
  });
});

describe('topz under ulimit -n 256 with 1,000 processes', () => {
  let swarm: ChildProcess | undefined;
  let topz: ChildProcess | undefined;
  afterAll(async () => {
    topz?.kill('SIGKILL');
    // The shell and its sleeps share a process group: one kill ends them all.
    if (swarm?.pid) process.kill(-swarm.pid, 'SIGKILL');
    await sleep(100);
  });

  it('keeps /livez answering and its fds under the limit', async () => {
    const count = 1000;
    // One perl forks the sleepers (bounded: each ends by itself after 120 s) and waits for them; a
    // fork without exec is many times quicker than a shell starting 1,000 `sleep`s.
    const fork = `for (1..${count}) { my $pid = fork; if (defined $pid && $pid == 0) { sleep 120; exit 0 } }`;
    swarm = spawn('perl', ['-e', `${fork} $| = 1; print "started\\n"; 1 while wait() != -1;`], {
      detached: true,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    await new Promise((resolve) => swarm!.stdout!.once('data', resolve));
    const main = join(import.meta.dirname, '../src/main.ts');
    let stderr = '';
    topz = spawn(
      'sh',
      ['-c', `ulimit -n 256 && exec "${process.execPath}" "${main}" --addr=127.0.0.1:0 --interval 300ms`],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '' } },
    );
    topz.stderr!.on('data', (chunk) => {
      stderr += chunk;
    });
    const address = await waitFor(
      () => /"address":"([\d.]+:\d+)"/.exec(stderr)?.[1],
      20_000,
      'topz listening',
    );
    const base = `http://${address}`;
    expect(readProc(topz.pid!, 'limits')).toMatch(/^Max open files\s+256\s+256/m);
    let mostFds = 0;
    let seen = 0;
    // Bounded: 15 rounds of /livez, /api/processes and /metrics, a few seconds.
    for (let round = 0; round < 15; round++) {
      expect((await fetch(`${base}/livez`, { signal: AbortSignal.timeout(5000) })).status).toBe(200);
      const response = await fetch(`${base}/api/processes`, { signal: AbortSignal.timeout(5000) });
      if (response.status === 200) {
        const snapshot = (await response.json()) as { processes: { ppid: number }[]; errors: unknown };
        seen = Math.max(seen, snapshot.processes.filter((p) => p.ppid === swarm!.pid).length);
      }
      if (round % 5 === 0) await (await fetch(`${base}/metrics`)).text();
      mostFds = Math.max(mostFds, readdirSync(`/proc/${topz.pid}/fd`).length);
      await sleep(200);
    }
    expect(seen).toBe(count);
    expect(mostFds).toBeLessThan(256);
    expect(mostFds).toBeGreaterThan(100);
    expect(stderr).not.toMatch(/EMFILE|cannot read/);
  }, 120_000);
});
