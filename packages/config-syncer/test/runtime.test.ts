import { spawn } from 'node:child_process';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Debouncer, listProcesses, selectByName } from '../src/index.ts';
import { waitUntil } from './helpers.ts';

describe('Debouncer', () => {
  it('turns a burst into one run and never loses a trigger that comes during a run', async () => {
    const runs: boolean[] = [];
    let release: () => void = () => {};
    const debouncer = new Debouncer({ quietMs: 20, maxWaitMs: 1000 }, async (full) => {
      runs.push(full);
      if (runs.length === 1) await new Promise<void>((resolve) => (release = resolve));
    });
    for (let i = 0; i < 10; i++) debouncer.trigger(i === 3);
    await waitUntil(() => runs.length === 1);
    debouncer.trigger();
    debouncer.trigger(true);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(runs).toEqual([true]);
    release();
    await waitUntil(() => runs.length === 2);
    await debouncer.close();
    expect(runs).toEqual([true, true]);
  });

  it('runs by maxWait even while triggers keep coming', async () => {
    let runs = 0;
    const debouncer = new Debouncer({ quietMs: 50, maxWaitMs: 100 }, async () => {
      runs += 1;
    });
    const started = performance.now();
    while (runs === 0 && performance.now() - started < 3000) {
      debouncer.trigger();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await debouncer.close();
    expect(runs).toBeGreaterThan(0);
  });
});

describe('finding a process by name', () => {
  it('finds a real process by argv[0] and keeps only the top of a same-named family', async () => {
    const child = spawn('sleep', ['30'], { argv0: 'config-syncer-test-app', stdio: 'ignore' });
    onTestFinished(() => void child.kill('SIGKILL'));
    await waitUntil(async () =>
      (await listProcesses()).some((p) => p.pid === child.pid && p.comm === 'sleep'),
    );
    const found = selectByName(await listProcesses(), 'config-syncer-test-app', process.pid);
    expect(found.map((p) => p.pid)).toEqual([child.pid]);

    const family = [
      { pid: 1, ppid: 0, comm: 'pause', argv0: '/pause' },
      { pid: 7, ppid: 0, comm: 'nginx', argv0: 'nginx: master process nginx' },
      { pid: 8, ppid: 7, comm: 'nginx', argv0: 'nginx: worker process' },
    ];
    expect(selectByName(family, 'nginx', 99).map((p) => p.pid)).toEqual([7]);
  });
});
