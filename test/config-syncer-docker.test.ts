// config-syncer in its image, as users run it: `--once` as an init step, hardened (read-only root, no
// capabilities, uid 65532); as a server stopped with `docker stop`; and the Compose demo, where it
// publishes edits of a bind-mounted source into a volume the app reads and tells the app (SIGHUP by
// name in the app's PID namespace, then the webhook), and keeps an invalid config from the app.
// The images come from the global setup (local base, no registry), the demo app's among them.
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repoRoot } from '../scripts/programs.ts';
import { containerProcesses, zombiesOf } from './helpers/container-processes.ts';
import { hostPortUrl, httpGet, publishedUrl, uniqueName, waitForHttp } from './helpers/docker.ts';
import {
  Containers,
  composeProject,
  dockerSuite,
  expectQuickCleanStop,
  expectToolkitImage,
  hardened,
  stopAndMeasure,
} from './helpers/docker-suite.ts';
import { sample } from './helpers/prometheus-text.ts';

const { status, skipped, noCompose } = dockerSuite();
const syncerImage = 'toolkit/config-syncer:latest';
const exampleConfig = readFileSync(join(repoRoot, 'compose/config-syncer-source/app.json'), 'utf8');

/** A host directory the containers (uid 65532) can read, or also write. */
function hostDir(prefix: string, mode: number): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, mode);
  return dir;
}

/** Writes a source file the way an editor without atomic saves does: in place. */
function writeSource(dir: string, name: string, text: string): void {
  writeFileSync(join(dir, name), text, { mode: 0o644 });
}

describe.skipIf(!status.available)(`config-syncer in Docker${skipped}`, () => {
  const containers = new Containers();
  const dirs: string[] = [];

  afterAll(async () => {
    await containers.remove();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  function sourceDir(files: Record<string, string>): string {
    const dir = hostDir('config-syncer-e2e-src-', 0o755);
    dirs.push(dir);
    for (const [name, text] of Object.entries(files)) writeSource(dir, name, text);
    return dir;
  }

  /** `docker run --rm`, hardened, of config-syncer --once from `source` into the host dir returned. */
  async function once(source: string) {
    const target = hostDir('config-syncer-e2e-target-', 0o777);
    dirs.push(target);
    const result = await containers.runToEnd('config-syncer-e2e-once', [
      ...hardened,
      ...['--volume', `${source}:/source:ro`, '--volume', `${target}:/config`],
      syncerImage,
      ...['--source', '/source', '--target', '/config', '--once', '--admin-addr', '127.0.0.1:0'],
    ]);
    return { ...result, target };
  }

  test('the image: OCI labels, numeric non-root user, node entrypoint, only the admin port', async () => {
    const config = await expectToolkitImage(syncerImage, 'config-syncer', [9090]);
    expect(config.Healthcheck.Test.slice(0, 2)).toEqual(['CMD', 'node']);
    expect(config.Healthcheck.Test.join(' ')).toMatch(/127\.0\.0\.1:9090\/livez/);
  });

  test('--once, hardened: writes the target with its manifest and exits 0; an invalid source exits 1', async () => {
    const good = await once(sourceDir({ 'app.json': exampleConfig, 'extra.toml': 'a = 1\n' }));
    expect(good.code, good.stderr).toBe(0);
    expect(readFileSync(join(good.target, 'app.json'), 'utf8')).toBe(exampleConfig);
    expect(readFileSync(join(good.target, 'extra.toml'), 'utf8')).toBe('a = 1\n');
    const manifest = JSON.parse(readFileSync(join(good.target, '.config-syncer-manifest'), 'utf8'));
    expect(manifest.files).toEqual(['app.json', 'extra.toml']);

    const bad = await once(sourceDir({ 'app.json': exampleConfig, 'broken.json': '{"a": ' }));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/broken\.json/);
    // Nothing of the set is published when one file fails.
    expect(existsSync(join(bad.target, 'app.json'))).toBe(false);
  });

  test('as a server, hardened: /readyz after the first publish, /metrics; docker stop exits 0 at once', async () => {
    const name = await containers.start(uniqueName('config-syncer-e2e-server'), [
      ...hardened,
      '--publish',
      '127.0.0.1:0:9090',
      '--volume',
      `${sourceDir({ 'app.json': exampleConfig })}:/source:ro`,
      syncerImage,
      ...['--source', '/source', '--target', '/tmp/config'],
    ]);
    const url = await publishedUrl(name, 9090);
    await waitForHttp(`${url}/readyz`, (r) => r.status === 200, { timeoutMs: 15_000 });
    expect((await httpGet(`${url}/livez`)).status).toBe(200);
    const metrics = (await httpGet(`${url}/metrics`)).body;
    expect(sample(metrics, 'config_syncer_publishes_total')).toBe(1);
    expect(sample(metrics, 'config_syncer_managed_files')).toBe(1);
    expect(sample(metrics, 'config_syncer_last_sync_successful')).toBe(1);

    const { commandMs } = await expectQuickCleanStop(name);
    expect(commandMs).toBeLessThan(5_000);
  });

  test("as PID 1 after --check-command and --notify-command 'sleep 0.2 &' ran many times: no zombie; docker stop exits 0 at once", async () => {
    const name = await containers.start(uniqueName('config-syncer-e2e-commands'), [
      ...hardened,
      '--publish',
      '127.0.0.1:0:9090',
      '--volume',
      `${sourceDir({ 'app.json': exampleConfig })}:/source:ro`,
      // The local base has no shell (the official base has dash and coreutils): the host's stand in.
      ...['--volume', `${realpathSync('/bin/sh')}:/bin/sh:ro`],
      ...['--volume', `${realpathSync('/bin/sleep')}:/bin/sleep:ro`],
      syncerImage,
      ...['--source', '/source', '--target', '/tmp/config', '--check-command', 'sleep 0.2 & true'],
      // Fails after leaving a sleep behind, so it is retried: many runs from one publish.
      ...[
        '--notify-command',
        'sleep 0.2 & exit 1',
        '--notify-backoff',
        '50ms',
        '--notify-backoff-max',
        '100ms',
      ],
    ]);
    const url = await publishedUrl(name, 9090);
    const failures = (body: string) =>
      sample(body, 'config_syncer_notifications_total{notifier="command",result="failure"}') ?? 0;
    await waitForHttp(`${url}/metrics`, (r) => failures(r.body) >= 10, {
      timeoutMs: 60_000,
      intervalMs: 500,
    });
    expect((await httpGet(`${url}/readyz`)).status).toBe(200);
    // Every sleep has ended by now: under a PID 1 that does not reap, each would be a zombie.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await zombiesOf(name)).toEqual([]);
    expect((await containerProcesses(name)).find((p) => p.pid === 1)?.comm).toBe('tini');

    await expectQuickCleanStop(name);
  }, 90_000);

  describe.skipIf(!status.compose)(`the Compose demo${noCompose}`, () => {
    let source = '';
    const { compose, expectDown } = composeProject(status, 'config-syncer-e2e', 'config-syncer.yaml', () => ({
      CONFIG_DEMO_APP_PORT: '0',
      CONFIG_SYNCER_PORT: '0',
      CONFIG_SOURCE_DIR: source,
    }));
    const portUrl = async (service: string, port: number) => {
      const result = await compose(['port', service, String(port)]);
      expect(result.code, result.stderr).toBe(0);
      return hostPortUrl(result.stdout);
    };
    const appStatus = async (url: string) => JSON.parse((await httpGet(`${url}/-/status`)).body).config;
    /** The app serves its config as loaded: the same JSON as `text`. */
    const serves = (text: string) => (r: { status: number; body: string }) =>
      r.status === 200 && JSON.stringify(JSON.parse(r.body)) === JSON.stringify(JSON.parse(text));

    beforeAll(() => {
      source = sourceDir({ 'app.json': exampleConfig });
    });

    afterAll(async () => {
      await compose(['down', '--volumes', '--timeout', '10']);
    });

    test('edits reach the app by SIGHUP, then by webhook; an invalid edit never does; stop; down', async () => {
      const up = await compose(['up', '--detach']);
      expect(up.code, up.stderr).toBe(0);
      const app = await portUrl('app', 3000);
      const syncer = await portUrl('config-syncer', 9090);

      // The first publish, signalled: the app started before its config existed.
      await waitForHttp(`${app}/-/config`, serves(exampleConfig), { timeoutMs: 20_000 });
      expect(await appStatus(app)).toMatchObject({ reason: 'signal', reloads: 1 });
      expect((await httpGet(`${syncer}/readyz`)).status).toBe(200);

      const second = exampleConfig.replace('"newCheckout": false', '"newCheckout": true');
      writeSource(source, 'app.json', second);
      await waitForHttp(`${app}/-/config`, serves(second), { timeoutMs: 10_000 });
      expect(await appStatus(app)).toMatchObject({ reason: 'signal', reloads: 2 });

      // Invalid JSON: counted, not published, the app keeps serving the last good config.
      writeSource(source, 'app.json', '{"greeting": "half a file",');
      await waitForHttp(
        `${syncer}/metrics`,
        (r) => (sample(r.body, 'config_syncer_validation_failures_total{reason="syntax"}') ?? 0) >= 1,
        { timeoutMs: 10_000 },
      );
      expect(serves(second)(await httpGet(`${app}/-/config`))).toBe(true);
      expect(await appStatus(app)).toMatchObject({ reloads: 2 });
      expect(sample((await httpGet(`${syncer}/metrics`)).body, 'config_syncer_last_sync_successful')).toBe(0);

      // The webhook variant: the syncer recreated with only --notify-url; the app keeps running.
      const webhook = {
        CONFIG_SYNCER_NOTIFY_PROCESS: '',
        CONFIG_SYNCER_NOTIFY_URL: 'http://app:3000/-/reload',
      };
      const recreated = await compose(['up', '--detach', 'config-syncer'], webhook);
      expect(recreated.code, recreated.stderr).toBe(0);
      const third = exampleConfig.replace('"info"', '"debug"');
      writeSource(source, 'app.json', third);
      await waitForHttp(`${app}/-/config`, serves(third), { timeoutMs: 15_000 });
      const afterWebhook = await appStatus(app);
      expect(afterWebhook).toMatchObject({ reason: 'http', reloads: 3 });
      expect(afterWebhook.revision).toMatch(/^[0-9a-f]{8,}$/);

      const container = (await compose(['ps', '--quiet', 'config-syncer'], webhook)).stdout.trim();
      const stopped = await stopAndMeasure(container);
      expect(stopped.commandMs).toBeLessThan(5_000);
      expect(stopped.ExitCode).toBe(0);

      await expectDown(webhook);
    }, 120_000);
  });
});
