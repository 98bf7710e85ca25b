// log-forwarder in its image, as users run it: the image's metadata, and the Compose demo, where an app
// appends a JSON access-log line per request to a file in a volume shared with the forwarder, which
// ships each line to an NDJSON sink. Every request reaches the sink once, in order, across a stop (with
// requests while it is down) and a restart; `docker stop` exits 0.
// The images come from the global setup (local base, no registry). The demo app plays both parts:
// the app writing the access log, and (a second container) the sink taking NDJSON at POST /-/logs.
import { afterAll, describe, expect, test } from 'vitest';
import { containerState, docker, hostPortUrl, httpGet, runCommand, waitForHttp } from './helpers/docker.ts';
import { composeProject, dockerSuite } from './helpers/docker-suite.ts';

const { status, skipped, noCompose } = dockerSuite();
const forwarderImage = 'toolkit/log-forwarder:latest';

interface SinkRecord {
  timestamp: string;
  path: string;
  line: string;
  app?: string;
}

/** The request ids of the access-log lines the sink holds, in the order it received them. */
function requestIds(ndjson: string): string[] {
  return ndjson
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as SinkRecord)
    .map((record) => (JSON.parse(record.line) as { id: string }).id);
}

describe.skipIf(!status.available)(`log-forwarder in Docker${skipped}`, () => {
  test('the image: OCI labels, numeric non-root user, node entrypoint, heap flags, only the admin port, a state volume', async () => {
    const config = JSON.parse(
      await docker(['image', 'inspect', '--format', '{{json .Config}}', forwarderImage]),
    );
    expect(config.User).toBe('65532:65532');
    expect(config.Entrypoint).toEqual(['/usr/bin/tini', '-s', '--', 'node', '/app/log-forwarder.mjs']);
    expect(config.Cmd).toEqual(['--path', '/logs/*.log', '--stdout']);
    // V8's heap sized for a sidecar (the bench runs the forwarder with the same NODE_OPTIONS).
    expect(config.Env).toContain('NODE_OPTIONS=--max-semi-space-size=2 --max-old-space-size=256');
    expect(Object.keys(config.ExposedPorts)).toEqual(['9090/tcp']);
    expect(Object.keys(config.Volumes)).toEqual(['/var/lib/log-forwarder']);
    expect(config.Healthcheck.Test.slice(0, 2)).toEqual(['CMD', 'node']);
    expect(config.Healthcheck.Test.join(' ')).toMatch(/127\.0\.0\.1:9090\/livez/);
    for (const label of ['title', 'description', 'source', 'version', 'revision', 'created', 'licenses']) {
      expect(config.Labels).toHaveProperty([`org.opencontainers.image.${label}`]);
    }
    expect(config.Labels['org.opencontainers.image.title']).toBe('log-forwarder');
  });

  describe.skipIf(!status.compose)(`the Compose demo${noCompose}`, () => {
    const { project, compose } = composeProject(status, 'log-forwarder-e2e', 'log-forwarder.yaml', () => ({
      LOG_DEMO_APP_PORT: '0',
      LOG_DEMO_SINK_PORT: '0',
      LOG_FORWARDER_PORT: '0',
    }));
    const portUrl = async (service: string, port: number) => {
      const result = await compose(['port', service, String(port)]);
      expect(result.code, result.stderr).toBe(0);
      return hostPortUrl(result.stdout);
    };

    afterAll(async () => {
      await compose(['down', '--volumes', '--timeout', '10']);
    });

    test('every request reaches the sink once, in order, across a stop and a restart; stop exits 0; down', async () => {
      const up = await compose(['up', '--detach']);
      expect(up.code, up.stderr).toBe(0);
      const app = await portUrl('app', 3000);
      const sink = await portUrl('sink', 8080);
      const forwarder = await portUrl('forwarder', 9090);
      await waitForHttp(`${app}/livez`, (r) => r.status === 200, { timeoutMs: 15_000 });
      await waitForHttp(`${sink}/livez`, (r) => r.status === 200, { timeoutMs: 15_000 });
      await waitForHttp(`${forwarder}/readyz`, (r) => r.status === 200, { timeoutMs: 15_000 });

      const sent: string[] = [];
      /** `count` requests to the app, one after another, each with its own id. */
      const requests = async (count: number, phase: string) => {
        for (let i = 0; i < count; i++) {
          const id = `${project}-${phase}-${i}`;
          const response = await fetch(`${app}/?n=${i}`, {
            headers: { 'x-request-id': id },
            signal: AbortSignal.timeout(5_000),
          });
          expect(response.status).toBe(200);
          await response.arrayBuffer();
          sent.push(id);
        }
      };
      const sinkHasAll = () =>
        waitForHttp(`${sink}/-/logs?limit=100000`, (r) => requestIds(r.body).length >= sent.length, {
          timeoutMs: 15_000,
          intervalMs: 250,
          attempts: 60,
        });

      // N requests: all at the sink, in order, from the app's file.
      await requests(25, 'first');
      const first = await sinkHasAll();
      expect(requestIds(first.body)).toEqual(sent);
      const record = JSON.parse(first.body.split('\n')[0]!) as SinkRecord;
      expect(record).toMatchObject({ path: '/logs/access.log', app: 'demo-app' });
      const files = JSON.parse((await httpGet(`${forwarder}/files`)).body);
      expect(files).toEqual([expect.objectContaining({ path: '/logs/access.log' })]);

      // `docker stop`: exits 0 at once, positions saved. Lines written while it is down arrive after.
      const container = (await compose(['ps', '--quiet', 'forwarder'])).stdout.trim();
      const stop = await runCommand('docker', ['stop', '--time', '10', container], { timeoutMs: 20_000 });
      expect(stop.code, stop.stderr).toBe(0);
      expect(stop.ms).toBeLessThan(5_000);
      const state = await containerState(container);
      expect({ ExitCode: state.ExitCode, OOMKilled: state.OOMKilled }).toEqual({
        ExitCode: 0,
        OOMKilled: false,
      });
      await requests(10, 'while-down');
      const start = await compose(['start', 'forwarder']);
      expect(start.code, start.stderr).toBe(0);
      const afterStart = await sinkHasAll();
      expect(requestIds(afterStart.body)).toEqual(sent);

      // `docker-compose restart`, then M more: N+K+M lines in all, none twice.
      const restart = await compose(['restart', '--timeout', '10', 'forwarder']);
      expect(restart.code, restart.stderr).toBe(0);
      const restarted = await portUrl('forwarder', 9090);
      await waitForHttp(`${restarted}/readyz`, (r) => r.status === 200, { timeoutMs: 15_000 });
      await requests(15, 'after-restart');
      const last = await sinkHasAll();
      const ids = requestIds(last.body);
      expect(ids).toHaveLength(50);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual(sent);
      // Nothing more trickles in late.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(requestIds((await httpGet(`${sink}/-/logs?limit=100000`)).body)).toEqual(sent);

      const down = await compose(['down', '--volumes', '--timeout', '10']);
      expect(down.code, down.stderr).toBe(0);
      expect(
        await docker(['ps', '--all', '--quiet', '--filter', `label=com.docker.compose.project=${project}`]),
      ).toBe('');
    }, 90_000);
  });
});
