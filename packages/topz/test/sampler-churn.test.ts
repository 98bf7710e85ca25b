import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHideFilter, listPids } from '../src/index.ts';
import { Children, sleep, waitForExec } from './helpers/children.ts';
import { find, heldProcFiles, Samplers } from './helpers/samplers.ts';

// Processes coming and going under the sampler: skipped cleanly, files closed; and what it leaves out.
const children = new Children();
const samplers = new Samplers();
afterEach(async () => {
  await children.killAll();
  samplers.closeAll();
});

describe('Sampler, while processes come and go', () => {
  it('skips processes that exit between the listing and the read', async () => {
    const seen = children.spawn('sleep', ['30']);
    const unseen = children.spawn('sleep', ['30']);
    await waitForExec(seen.pid!, 'sleep');
    await waitForExec(unseen.pid!, 'sleep');
    const sampler = samplers.create();
    expect(find(sampler.sample(), seen.pid)).toBeDefined();
    const pids = listPids('/proc');
    expect(pids).toContain(unseen.pid);
    await children.killAll();
    const snapshot = sampler.samplePids(pids);
    expect(find(snapshot, seen.pid)).toBeUndefined();
    expect(find(snapshot, unseen.pid)).toBeUndefined();
    expect(snapshot.errors.vanished).toBeGreaterThanOrEqual(2);
    expect(snapshot.processes.length).toBeGreaterThan(1);
  });

  it('keeps sampling while processes come and go, and closes the files of those gone', async () => {
    const sampler = samplers.create();
    const seen = new Set<number>();
    const sample = () => {
      for (const process of sampler.sample().processes) seen.add(process.pid);
    };
    const churn = setInterval(() => children.spawn('sleep', ['0.02']).unref(), 5);
    for (let i = 0; i < 20; i++) {
      sample();
      await sleep(10);
    }
    clearInterval(churn);
    const pids = new Set<number>();
    for (let i = 0; i < 20; i++) pids.add(children.spawn('sleep', ['30']).pid!);
    for (const pid of pids) await waitForExec(pid, 'sleep');
    sample();
    expect(heldProcFiles(pids)).toBeGreaterThanOrEqual(20 * 3);
    await children.killAll();
    sample();
    expect(heldProcFiles(pids)).toBe(0);
    // (Only the sampler's: pidusage, in another test, keeps its own files open for a minute.)
    expect(heldProcFiles(seen)).toBeGreaterThan(0);
    sampler.close();
    expect(heldProcFiles(seen)).toBe(0);
  });

  it('reads another procfs mount with --proc-root', async (context) => {
    const dir = mkdtempSync(join(tmpdir(), 'topz-proc-'));
    const mounted = spawnSync('mount', ['-t', 'proc', 'proc', dir]).status === 0;
    try {
      if (!mounted) return context.skip('cannot mount procfs here (needs root)');
      const child = children.spawn('sleep', ['37']);
      await waitForExec(child.pid!, 'sleep');
      const process = find(samplers.create({ procRoot: dir }).sample(), child.pid);
      expect(process).toMatchObject({ cmdline: 'sleep 37', ppid: globalThis.process.pid, state: 'S' });
    } finally {
      samplers.closeAll();
      if (mounted) spawnSync('umount', [dir]);
      rmSync(dir, { recursive: true });
    }
  });

  it('hides itself and the pause process when asked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'topz-pause-'));
    copyFileSync('/bin/cat', join(dir, 'pause'));
    // A stand-in for the pod's /pause: comm `pause`, command line `/pause`, blocked on stdin.
    const pause = children.spawn(join(dir, 'pause'), [], {
      argv0: '/pause',
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    await waitForExec(pause.pid!, 'pause');
    const shown = samplers.create().sample();
    expect(find(shown, pause.pid)?.cmdline).toBe('/pause');
    expect(find(shown, globalThis.process.pid)).toBeDefined();
    const hide = createHideFilter({ hideSelf: true, hidePause: true, selfPid: globalThis.process.pid });
    const hidden = samplers.create({ hide }).sample();
    expect(find(hidden, pause.pid)).toBeUndefined();
    expect(find(hidden, globalThis.process.pid)).toBeUndefined();
    expect(hidden.hidden).toBe(2);
    rmSync(dir, { recursive: true });
  });
});
