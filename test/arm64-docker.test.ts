// The linux/arm64 images (scripts/images-arm64.ts), run here under QEMU: each is arm64, prints its
// version, answers /livez, and topz does one real job (--once) in another arm64 container's PID
// namespace. Slow under emulation (about 20 s a Node start on a quiet 2-core machine): two images at a
// time, each container stopped once checked, every step bounded.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { arm64Platform, arm64Programs, arm64Tags, buildArm64Images } from '../scripts/images-arm64.ts';
import { docker, publishedUrl, runCommand, testLabel, waitForHttp } from './helpers/docker.ts';
import { Containers, dockerSuite, hardened } from './helpers/docker-suite.ts';

const { status, skipped } = dockerSuite();
const programs = arm64Programs()
  .filter((entry) => !entry.skipped)
  .map((entry) => entry.program);
const image = (name: string) => arm64Tags(programs.find((p) => p.name === name)!)[0]!;

/** How each image is started to serve, and the port of its /livez. */
const serve: Record<string, { args: string[]; port: number }> = {
  topz: { args: [], port: 8080 },
  'demo-app': { args: [], port: 3000 },
  'tls-proxy': { args: [], port: 9090 },
  'config-syncer': { args: ['--source=/app', '--target=/tmp/config'], port: 9090 },
  'log-forwarder': {
    args: ['--path=/tmp/*.log', '--stdout', '--positions-file=/tmp/positions.json'],
    port: 9090,
  },
};

describe.skipIf(!status.available)(`arm64 images under QEMU${skipped}`, () => {
  const containers = new Containers();
  let appContainer = '';

  beforeAll(() => {
    buildArm64Images();
  }, 480_000);

  afterAll(async () => {
    await containers.remove();
  });

  test('there is one per image but repo-updater’s (its local base is amd64 only)', () => {
    expect(programs.map((p) => p.name).sort()).toEqual(Object.keys(serve).sort());
    expect(arm64Programs().find((entry) => entry.program.name === 'repo-updater')?.skipped).toMatch(/git/);
  });

  /**
   * The image's own tini and program, without tini's `-s`: QEMU's user mode has no
   * prctl(PR_SET_CHILD_SUBREAPER) ("FATAL tini: PR_SET_CHILD_SUBREAPER is unavailable"), which arm64
   * kernels have. tini is PID 1 in these containers, so it reaps without it.
   */
  const emulated = (ref: string, program: string) => [
    '--entrypoint',
    '/usr/bin/tini',
    ref,
    '--',
    'node',
    `/app/${program}.mjs`,
  ];

  const imageCommand = async (ref: string): Promise<string[]> =>
    JSON.parse(await docker(['image', 'inspect', '--format', '{{json .Config.Cmd}}', ref])) ?? [];

  /** One image: its platform and tags, `--version`, then served until /livez answers (and /metrics). */
  async function checkImage(program: (typeof programs)[number]): Promise<void> {
    const [latest, versioned] = arm64Tags(program);
    expect(latest).toMatch(/:latest-arm64$/);
    expect(versioned).toBe(latest!.replace('latest', program.version));
    const platform = await docker(['image', 'inspect', '--format', '{{.Os}}/{{.Architecture}}', latest!]);
    expect(platform.trim()).toBe(arm64Platform);
    const version = await runCommand(
      'docker',
      [
        'run',
        '--rm',
        '--label',
        testLabel,
        '--platform',
        arm64Platform,
        ...hardened,
        ...emulated(latest!, program.name),
        '--version',
      ],
      { timeoutMs: 120_000 },
    );
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(`${program.name} ${program.version}`);

    const { args, port } = serve[program.name]!;
    const name = await containers.start(containers.name(`arm64-e2e-${program.name}`), [
      '--platform',
      arm64Platform,
      // The image's HEALTHCHECK starts a Node every 30 s: under QEMU each takes a core for seconds.
      '--no-healthcheck',
      ...hardened,
      '--publish',
      `127.0.0.1:0:${port}`,
      ...emulated(latest!, program.name),
      // A replaced entrypoint drops the image's CMD: its flags are given back when the test adds none.
      ...(args.length > 0 ? args : await imageCommand(latest!)),
    ]);
    const url = await publishedUrl(name, port);
    await waitForHttp(`${url}/livez`, undefined, { timeoutMs: 120_000, intervalMs: 1_000, attempts: 120 });
    if (program.name === 'demo-app') {
      appContainer = name; // kept for topz --once
      return;
    }
    const metrics = await waitForHttp(`${url}/metrics`, undefined, { timeoutMs: 30_000 });
    expect(metrics.body).toMatch(
      new RegExp(`${program.name.replace(/-/g, '_')}_build_info\\{[^}]*version="${program.version}"`),
    );
    // Stopped at once: an idle program under emulation still costs CPU this machine shares.
    await docker(['rm', '--force', name]);
  }

  test('each is linux/arm64, tagged apart from amd64, prints its version and answers /livez', async () => {
    // Two at a time: each Node start under QEMU takes a core for several seconds.
    const queue = [...programs];
    const worker = async () => {
      for (let program = queue.shift(); program; program = queue.shift()) await checkImage(program);
    };
    await Promise.all([worker(), worker()]);
  }, 600_000);

  test('topz --once in the arm64 demo app’s PID namespace lists its processes', async () => {
    expect(appContainer).not.toBe('');
    const once = await runCommand(
      'docker',
      [
        'run',
        '--rm',
        '--label',
        testLabel,
        '--platform',
        arm64Platform,
        '--pid',
        `container:${appContainer}`,
        ...hardened,
        ...emulated(image('topz'), 'topz'),
        '--once',
        '--format',
        'json',
      ],
      { timeoutMs: 120_000 },
    );
    expect(once.code, once.stderr).toBe(0);
    const { processes } = JSON.parse(once.stdout) as { processes: { pid: number; cmdline: string }[] };
    expect(processes.find((p) => p.pid === 1)?.cmdline).toMatch(/demo-app/);
    expect(processes.some((p) => /topz/.test(p.cmdline))).toBe(true);
  }, 150_000);
});
