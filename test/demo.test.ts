// `pnpm demo`: the app and its five sidecars as local processes, started by the real script, driven
// through the tour (one visible step per sidecar), stopped by Ctrl-C.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { describeMetrics } from '../packages/lifecycle/src/index.ts';
import { runTour } from '../scripts/demo/tour.ts';
import { findProgram } from '../scripts/programs.ts';
import { type RunningDemo, startDemo, waitForGuide } from './helpers/demo-run.ts';

/** The demo script's children: the programs it started. */
function childrenOf(pid: number): number[] {
  const ps = spawnSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' });
  return ps.stdout
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number])
    .filter(([, parent]) => parent === pid)
    .map(([child]) => child);
}

const alive = (pid: number) => spawnSync('kill', ['-0', String(pid)]).status === 0;

describe('pnpm demo (local processes)', () => {
  let demo: RunningDemo;
  let programs: number[];

  beforeAll(async () => {
    demo = await startDemo([]);
    await waitForGuide(demo, 90_000);
  }, 120_000);
  afterAll(async () => {
    if (demo.child.exitCode === null) demo.child.kill('SIGKILL');
  });

  test('prints what to open and what to try, with the ports it was given', () => {
    const guide = demo.output();
    expect(guide).toContain(`https://127.0.0.1:${demo.ports.https}/`);
    expect(guide).toContain(`http://127.0.0.1:${demo.ports.topz}/`);
    expect(guide).toContain(`${demo.workspace.configSource}/app.json`);
    expect(guide).toContain(`cd ${demo.workspace.site}`);
    expect(guide).toMatch(/Ctrl-C stops the demo/);
    // The app and five sidecars.
    programs = childrenOf(demo.child.pid!);
    expect(programs).toHaveLength(6);
  });

  test('each sidecar visibly does its job', async () => {
    const steps = await runTour(demo.workspace, demo.ports);
    expect(steps.map((step) => step.program)).toEqual([
      'tls-proxy',
      'config-syncer',
      'repo-updater',
      'log-forwarder',
      'topz',
    ]);
    for (const step of steps) expect(step, step.detail).toMatchObject({ ok: true });
    expect(steps.find((step) => step.program === 'topz')!.detail).toMatch(/demo-app-busy/);
  }, 90_000);

  test('every metric family a sidecar serves is in its declaration, which --help and the README list', async () => {
    const admin: Record<string, number> = {
      topz: demo.ports.topz,
      'config-syncer': demo.ports.configSyncer,
      'repo-updater': demo.ports.repoUpdater,
      'log-forwarder': demo.ports.logForwarder,
      'tls-proxy': demo.ports.tlsProxy,
    };
    for (const [program, port] of Object.entries(admin)) {
      const { definition } = await import(join(findProgram(program).dir, 'src', 'definition.ts'));
      const declared = describeMetrics((registry) => definition.metrics(registry)).map((m) => m.name);
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const served = [...text.matchAll(/^# HELP (\S+) /gm)]
        .map((match) => match[1]!)
        .filter((name) => !/^(process|nodejs)_/.test(name) && !name.endsWith('_build_info'));
      expect(served.length, program).toBeGreaterThan(0);
      expect(declared, program).toEqual(expect.arrayContaining(served));
    }
  });

  test('Ctrl-C stops every program gracefully, and the workspace it was given stays', async () => {
    const code = await demo.interrupt(40_000);
    expect(code, demo.output()).toBe(0);
    expect(demo.output()).toContain('demo: stopped');
    // Graceful: one SIGTERM each, never the "second signal" fast path.
    expect(demo.output()).not.toMatch(/second signal/);
    expect(programs.filter(alive)).toEqual([]);
    expect(existsSync(demo.workspace.remote)).toBe(true);
  }, 60_000);
});

describe('pnpm demo refuses bad input', () => {
  test('a port that is not a number', () => {
    const result = spawnSync(process.execPath, ['scripts/demo.ts'], {
      env: { ...process.env, DEMO_HTTPS_PORT: 'https' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('DEMO_HTTPS_PORT=https is not a port: give a number from 1 to 65535');
  });
});
