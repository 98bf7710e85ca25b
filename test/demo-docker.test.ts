// `pnpm demo --compose`: compose/demo.yaml with the images the global setup built, every container
// hardened (user 65532, read-only root, no capabilities), driven through the same tour as the local demo.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runTour } from '../scripts/demo/tour.ts';
import { type RunningDemo, startDemo, waitForGuide } from './helpers/demo-run.ts';
import { docker, uniqueName } from './helpers/docker.ts';
import { dockerSuite } from './helpers/docker-suite.ts';

const { status, skipped, noCompose } = dockerSuite();
const project = uniqueName('demo').replace(/[^a-z0-9-]/g, '');

async function projectContainers(): Promise<string[]> {
  const out = await docker([
    'ps',
    '--all',
    '--filter',
    `label=com.docker.compose.project=${project}`,
    '--format',
    '{{.Names}}',
  ]);
  return out.split('\n').filter(Boolean);
}

describe.skipIf(!status.available || !status.compose)(`pnpm demo --compose${skipped}${noCompose}`, () => {
  let demo: RunningDemo;

  beforeAll(async () => {
    demo = await startDemo(['--compose'], { DEMO_COMPOSE_PROJECT: project });
    await waitForGuide(demo, 150_000);
  }, 180_000);
  afterAll(async () => {
    if (demo.child.exitCode === null) await demo.interrupt(60_000);
  }, 90_000);

  test('six containers, each as locked down as the pod spec makes it', async () => {
    const names = await projectContainers();
    expect(names).toHaveLength(6);
    for (const name of names) {
      const [config] = JSON.parse(await docker(['inspect', name])) as [
        {
          Config: { User: string };
          HostConfig: { ReadonlyRootfs: boolean; CapDrop: string[]; SecurityOpt: string[] };
        },
      ];
      expect(config.Config.User, name).toBe('65532:65532');
      expect(config.HostConfig.ReadonlyRootfs, name).toBe(true);
      expect(config.HostConfig.CapDrop, name).toEqual(['ALL']);
      expect(config.HostConfig.SecurityOpt, name).toContain('no-new-privileges:true');
    }
  });

  test('each sidecar visibly does its job, from its image', async () => {
    const steps = await runTour(demo.workspace, demo.ports);
    for (const step of steps) expect(step, step.detail).toMatchObject({ ok: true });
    // In the app's PID namespace topz sees the app (the child of tini, PID 1), its workers and the five
    // sidecars only.
    expect(steps.find((step) => step.program === 'topz')!.detail).toMatch(
      /sees \d+ processes, 3 of the app \(demo-app \d+,/,
    );
  }, 90_000);

  test('Ctrl-C takes the project down, volumes and all', async () => {
    const code = await demo.interrupt(90_000);
    expect(code, demo.output()).toBe(0);
    expect(await projectContainers()).toEqual([]);
    const volumes = await docker([
      'volume',
      'ls',
      '--quiet',
      '--filter',
      `label=com.docker.compose.project=${project}`,
    ]);
    expect(volumes.trim()).toBe('');
  }, 120_000);
});
