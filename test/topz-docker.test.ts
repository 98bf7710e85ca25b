// topz in its image next to an app container, as users run it: sharing the app's PID namespace with
// `docker run --pid=container:APP`, hardened (read-only root, no capabilities, uid 65532), stopped with
// `docker stop`, and the Compose demo. Images come from the global setup (local base, no registry).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  hostPortUrl,
  httpGet,
  publishedUrl,
  runCommand,
  testLabel,
  uniqueName,
  waitForHttp,
} from './helpers/docker.ts';
import {
  Containers,
  composeProject,
  dockerSuite,
  expectQuickCleanStop,
  expectToolkitImage,
  hardened,
  stopAndMeasure,
} from './helpers/docker-suite.ts';
import { demoApp, type ListedProcess, listedProcesses } from './helpers/topz.ts';

const { status, skipped, noCompose } = dockerSuite();
const topzImage = 'toolkit/topz:latest';
const appImage = 'toolkit/demo-app:latest';

describe.skipIf(!status.available)(`topz in Docker${skipped}`, () => {
  const containers = new Containers();
  const app = uniqueName('topz-e2e-app');

  /** A `docker run --rm` of topz in the app's PID namespace, to its end. */
  const topzOnce = (args: string[]) =>
    containers.runToEnd('topz-e2e-once', [`--pid=container:${app}`, ...hardened, topzImage, ...args]);

  const expectTheAppsProcesses = (processes: readonly ListedProcess[]) => {
    const lines = processes.map((p) => p.cmdline);
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(demoApp.main)]));
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(demoApp.busy)]));
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(demoApp.idle)]));
    const main = processes.find((p) => demoApp.main.test(p.cmdline))!;
    // The image's PID 1 is tini (it reaps orphans); the app is its child.
    expect(processes.find((p) => p.pid === 1)?.cmdline).toMatch(/^\/usr\/bin\/tini /);
    expect(main.ppid).toBe(1);
    const workers = processes.filter((p) => demoApp.busy.test(p.cmdline) || demoApp.idle.test(p.cmdline));
    for (const worker of workers) expect(worker.ppid).toBe(main.pid);
  };

  beforeAll(async () => {
    await containers.start(app, [...hardened, '--publish', '127.0.0.1:0:3000', appImage]);
    // The workers are started before the app is ready.
    await waitForHttp(`${await publishedUrl(app, 3000)}/readyz`);
  });

  afterAll(async () => {
    await containers.remove();
  });

  test('the image: OCI labels, numeric non-root user, node entrypoint, port 8080', async () => {
    const config = await expectToolkitImage(topzImage, 'topz', [8080]);
    expect(config.Healthcheck.Test[0]).toBe('CMD');
  });

  test('--version and --help', async () => {
    const version = await runCommand('docker', ['run', '--rm', '--label', testLabel, topzImage, '--version']);
    expect(version.stdout).toMatch(/^topz \d+\.\d+\.\d+/);
    const help = await runCommand('docker', ['run', '--rm', '--label', testLabel, topzImage, '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--addr/);
    expect(help.stdout).toMatch(/--once/);
  });

  test('--once prints a table of the app’s processes, and only those', async () => {
    const result = await topzOnce(['--once']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(demoApp.main);
    expect(result.stdout).toMatch(demoApp.busy);
    expect(result.stdout).toMatch(demoApp.idle);
    // Another PID namespace's processes (this test runner's) are not there.
    expect(result.stdout).not.toMatch(/vitest/);
  });

  test('--once --format json parses and shows the app’s process tree', async () => {
    const result = await topzOnce(['--once', '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    expectTheAppsProcesses(listedProcesses(JSON.parse(result.stdout)));
  });

  test('as a server, hardened, beside the app: /readyz, /topz, /api/processes, /metrics, /', async () => {
    const topz = await containers.start(uniqueName('topz-e2e-server'), [
      `--pid=container:${app}`,
      ...hardened,
      '--publish',
      '127.0.0.1:0:8080',
      topzImage,
    ]);
    const url = await publishedUrl(topz, 8080);
    await waitForHttp(`${url}/readyz`, (response) => response.status === 200, { timeoutMs: 15_000 });
    expect((await httpGet(`${url}/livez`)).status).toBe(200);

    const table = await httpGet(`${url}/topz`);
    expect(table.status).toBe(200);
    expect(table.contentType).toMatch(/^text\/plain/);
    expect(table.body).toMatch(demoApp.busy);

    const api = await httpGet(`${url}/api/processes`);
    expect(api.status).toBe(200);
    expect(api.contentType).toMatch(/^application\/json/);
    expectTheAppsProcesses(listedProcesses(JSON.parse(api.body)));

    const metrics = await httpGet(`${url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/^# (HELP|TYPE) topz_/m);

    const page = await httpGet(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.contentType).toMatch(/^text\/html/);

    const { ExitCode } = await stopAndMeasure(topz);
    expect(ExitCode).toBe(0);
  });

  test('docker stop: topz (under tini, PID 1) exits 0 on SIGTERM, long before the SIGKILL', async () => {
    const topz = await containers.start(uniqueName('topz-e2e-pid1'), [
      ...hardened,
      '--publish',
      '127.0.0.1:0:8080',
      topzImage,
    ]);
    await waitForHttp(`${await publishedUrl(topz, 8080)}/readyz`, (r) => r.status === 200, {
      timeoutMs: 15_000,
    });
    const { commandMs } = await expectQuickCleanStop(topz);
    // `docker stop -t 10` returns long before its SIGKILL would have come.
    expect(commandMs).toBeLessThan(5_000);
  });

  describe.skipIf(!status.compose)(`the Compose demo${noCompose}`, () => {
    // Port 0: Docker picks free host ports (still on 127.0.0.1).
    const { compose, expectDown } = composeProject(status, 'topz-e2e', 'topz.yaml', () => ({
      TOPZ_PORT: '0',
      DEMO_APP_PORT: '0',
    }));

    afterAll(async () => {
      await compose(['down', '--volumes', '--timeout', '10']);
    });

    test('up: topz sees the app’s processes over HTTP; down', async () => {
      const up = await compose(['up', '--detach']);
      expect(up.code, up.stderr).toBe(0);
      const topzPort = await compose(['port', 'topz', '8080']);
      const appPort = await compose(['port', 'app', '3000']);
      expect(topzPort.code, topzPort.stderr).toBe(0);
      const url = hostPortUrl(topzPort.stdout);
      await waitForHttp(`${url}/readyz`, (r) => r.status === 200, { timeoutMs: 20_000 });
      await waitForHttp(
        `${url}/api/processes`,
        (r) => r.status === 200 && demoApp.busy.test(r.body) && demoApp.idle.test(r.body),
        { timeoutMs: 10_000 },
      );
      expectTheAppsProcesses(listedProcesses(JSON.parse((await httpGet(`${url}/api/processes`)).body)));
      expect((await httpGet(`${hostPortUrl(appPort.stdout)}/`)).body).toMatch(/hello from the demo app/);

      await expectDown();
    }, 120_000);
  });
});
