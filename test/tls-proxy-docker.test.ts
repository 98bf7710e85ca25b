// tls-proxy in its image in an app container's network namespace, as users run it: hardened (read-only
// root, no capabilities, uid 65532) with its self-signed certificate, stopped with `docker stop`, and
// the Compose demo with a CA and server certificate made here by openssl, bind-mounted and then renewed
// in place. Images come from the global setup (local base, no registry).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  docker,
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
} from './helpers/docker-suite.ts';
import { sample } from './helpers/prometheus-text.ts';
import { curlHttps, makeTestCertificates, type TestCertificates } from './helpers/tls.ts';

const { status, skipped, noCompose } = dockerSuite();
const proxyImage = 'toolkit/tls-proxy:latest';
const appImage = 'toolkit/demo-app:latest';
const appGreeting = /hello from the demo app/;

/** `https://127.0.0.1:NNNN/` from a `docker port` line (loopback only). */
const httpsUrl = (line: string) => `${hostPortUrl(line).replace(/^http:/, 'https:')}/`;

describe.skipIf(!status.available)(`tls-proxy in Docker${skipped}`, () => {
  const containers = new Containers();

  afterAll(async () => {
    await containers.remove();
  });

  test('the image: OCI labels, numeric non-root user, node entrypoint, ports 8443 and 9090', async () => {
    const config = await expectToolkitImage(proxyImage, 'tls-proxy', [8443, 9090]);
    expect(config.Healthcheck.Test[0]).toBe('CMD');
    const version = await runCommand('docker', [
      'run',
      '--rm',
      '--label',
      testLabel,
      proxyImage,
      '--version',
    ]);
    expect(version.stdout).toMatch(/^tls-proxy \d+\.\d+\.\d+/);
  });

  /**
   * The demo app on loopback, then tls-proxy in its network namespace, hardened, run with `args` (docker
   * flags, the image, the program's flags); the ports published are tls-proxy's, on the app's container
   * (it owns the network namespace). Resolves once the proxy is ready.
   */
  async function startBesideApp(prefix: string, args: string[]) {
    const app = await containers.start(uniqueName(`${prefix}-app`), [
      ...hardened,
      ...['--publish', '127.0.0.1:0:8443', '--publish', '127.0.0.1:0:9090'],
      ...[appImage, '--addr', '127.0.0.1:3000'],
    ]);
    const proxy = await containers.start(uniqueName(`${prefix}-proxy`), [
      `--network=container:${app}`,
      ...hardened,
      ...args,
    ]);
    const https = httpsUrl((await docker(['port', app, '8443/tcp'])).split('\n')[0]!);
    const admin = await publishedUrl(app, 9090);
    await waitForHttp(`${admin}/readyz`, (r) => r.status === 200, { timeoutMs: 15_000 });
    return { proxy, https, admin };
  }

  describe('hardened, self-signed, in the app’s network namespace', () => {
    let proxy = '';
    let https = '';
    let admin = '';

    beforeAll(async () => {
      ({ proxy, https, admin } = await startBesideApp('tls-proxy-e2e', [
        // The image's HEALTHCHECK, sooner than its 30 s interval.
        ...['--health-interval', '1s'],
        ...[proxyImage, '--upstream', 'http://127.0.0.1:3000', '--ready-path', '/readyz'],
      ]));
    });

    test('HTTPS reaches the app; the certificate is self-signed for localhost; healthy', async () => {
      const proxied = await curlHttps(https, ['--insecure']);
      expect(proxied.code, proxied.stderr).toBe(0);
      expect(proxied.stdout).toMatch(appGreeting);
      // Verified against the system CAs it fails: curl's 60 is "peer certificate cannot be authenticated".
      expect((await curlHttps(https)).code).toBe(60);
      const verbose = await curlHttps(https, ['--insecure', '--verbose', '--output', '/dev/null']);
      expect(verbose.stderr).toMatch(/subject: CN=localhost/);

      const metrics = (await httpGet(`${admin}/metrics`)).body;
      expect(sample(metrics, 'tls_proxy_requests_total{method="GET",status="200"}')).toBeGreaterThanOrEqual(
        2,
      );

      let health = '';
      for (let attempt = 0; attempt < 40 && health !== 'healthy'; attempt++) {
        health = (await docker(['inspect', '--format', '{{.State.Health.Status}}', proxy])).trim();
        if (health !== 'healthy') await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(health).toBe('healthy');
    });

    test('docker stop: tls-proxy as PID 1 exits 0 within a few seconds of SIGTERM', async () => {
      // The drain keeps accepting for 0.5 s, then an idle proxy is done.
      const { commandMs } = await expectQuickCleanStop(proxy);
      expect(commandMs).toBeLessThan(5_000);
    });
  });

  describe('--mode tcp, hardened, in the app’s network namespace', () => {
    let proxy = '';
    let https = '';
    let admin = '';

    beforeAll(async () => {
      ({ proxy, https, admin } = await startBesideApp('tls-proxy-e2e-tcp', [
        ...[proxyImage, '--mode', 'tcp', '--upstream', 'tcp://127.0.0.1:3000', '--alpn', 'http/1.1'],
      ]));
    });

    test('HTTPS bytes reach the app unparsed; the connection is logged and counted; docker stop exits 0', async () => {
      const proxied = await curlHttps(https, ['--insecure', '--http1.1']);
      expect(proxied.code, proxied.stderr).toBe(0);
      expect(proxied.stdout).toMatch(appGreeting);
      await waitForHttp(
        `${admin}/metrics`,
        (r) =>
          (sample(r.body, 'tls_proxy_connections_total{outcome="client_closed",alpn="http/1.1"}') ?? 0) >= 1,
        { timeoutMs: 10_000 },
      );
      // The access log is written in batches (a buffered logger): the line may follow the metric.
      const line = /"alpn":"http\/1\.1".*"end":"client_closed".*"msg":"connection"/;
      let logs = await runCommand('docker', ['logs', proxy]);
      for (const deadline = Date.now() + 10_000; !line.test(logs.stderr) && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        logs = await runCommand('docker', ['logs', proxy]);
      }
      expect(logs.stderr).toMatch(line);

      // No connection open: the drain has nothing to wait for.
      await expectQuickCleanStop(proxy);
    });
  });

  describe.skipIf(!status.compose)(`the Compose demo, with a certificate from a CA${noCompose}`, () => {
    let certificates: TestCertificates | undefined;
    const { compose, expectDown } = composeProject(status, 'tls-proxy-e2e', 'tls-proxy.yaml', () => ({
      // Port 0: Docker picks free host ports (still on 127.0.0.1).
      TLS_PROXY_PORT: '0',
      TLS_PROXY_ADMIN_PORT: '0',
      TLS_PROXY_CERT_DIR: certificates?.dir ?? '',
      TLS_PROXY_TLS_CERT: '/tls/tls.crt',
      TLS_PROXY_TLS_KEY: '/tls/tls.key',
    }));

    beforeAll(async () => {
      certificates = await makeTestCertificates();
    });

    afterAll(async () => {
      await compose(['down', '--volumes', '--timeout', '10']);
      await certificates?.remove();
    });

    test('up: HTTPS verified by the CA reaches the app, plain HTTP is not reachable, metrics count; a renewed certificate is taken; down', async () => {
      const up = await compose(['up', '--detach']);
      expect(up.code, up.stderr).toBe(0);
      const httpsPort = await compose(['port', 'app', '8443']);
      expect(httpsPort.code, httpsPort.stderr).toBe(0);
      const adminPort = await compose(['port', 'app', '9090']);
      const admin = hostPortUrl(adminPort.stdout);
      await waitForHttp(`${admin}/readyz`, (r) => r.status === 200, { timeoutMs: 20_000 });

      // curl checks the chain against the test CA and the name localhost.
      const url = httpsUrl(httpsPort.stdout).replace('127.0.0.1', 'localhost');
      const proxied = await curlHttps(url, ['--cacert', certificates!.ca]);
      expect(proxied.code, proxied.stderr).toBe(0);
      expect(proxied.stdout).toMatch(appGreeting);

      // The app's 3000 is published nowhere, and in the shared namespace it answers on loopback only.
      const ports = await docker(['port', (await compose(['ps', '--quiet', 'app'])).stdout.trim()]);
      expect(ports).not.toMatch(/^3000\//m);
      const proxyContainer = (await compose(['ps', '--quiet', 'tls-proxy'])).stdout.trim();
      const fetchFromInside = async (host: string) =>
        runCommand(
          'docker',
          [
            'exec',
            proxyContainer,
            'node',
            '-e',
            `fetch('http://${host}:3000/').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(2))`,
          ],
          { timeoutMs: 15_000 },
        );
      expect((await fetchFromInside('127.0.0.1')).code).toBe(0);
      const address = (
        await docker([
          'inspect',
          '--format',
          '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}',
          (await compose(['ps', '--quiet', 'app'])).stdout.trim(),
        ])
      )
        .trim()
        .split(' ')[0]!;
      expect(address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect((await fetchFromInside(address)).code).toBe(2);

      const metrics = (await httpGet(`${admin}/metrics`)).body;
      expect(sample(metrics, 'tls_proxy_requests_total{method="GET",status="200"}')).toBeGreaterThanOrEqual(
        1,
      );
      expect(sample(metrics, 'tls_proxy_certificate_reloads_total{result="success"}')).toBe(0);

      // Renewal: new files in the mounted directory are picked up without a restart.
      await certificates!.renew('renewed.localhost');
      await waitForHttp(
        `${admin}/metrics`,
        (r) => (sample(r.body, 'tls_proxy_certificate_reloads_total{result="success"}') ?? 0) >= 1,
        { timeoutMs: 15_000 },
      );
      const renewed = await curlHttps(url, ['--cacert', certificates!.ca, '--verbose']);
      expect(renewed.code, renewed.stderr).toBe(0);
      expect(renewed.stderr).toMatch(/subject: CN=renewed\.localhost/);
      expect(renewed.stdout).toMatch(appGreeting);

      await expectDown();
    }, 120_000);
  });
});
