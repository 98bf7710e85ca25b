import { type MutualTlsSetup, startMutualTlsServer } from '@toolkit/test-helpers';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { makeServerFiles, type Pem } from './helpers/certificates.ts';
import { httpsRequest } from './helpers/client.ts';
import { getAdmin, sourceMain, startProgram } from './helpers/program.ts';
import { servingArgs, startProxy } from './helpers/proxy.ts';

// An app that serves HTTPS itself, behind a private CA, and asks for a client certificate from its own
// client CA: tls-proxy in front must verify it with --ca-file and show --client-cert-file.
describe('an https:// upstream behind a private CA, with a client certificate', () => {
  let app: MutualTlsSetup;
  let ca: Pem;
  let files: { cert: string; key: string };
  beforeAll(async () => {
    app = await startMutualTlsServer((request) => ({
      status: 200,
      body: `${request.method} ${request.path} from ${request.clientName}`,
    }));
    ({ ca, files } = await makeServerFiles());
  });
  afterAll(() => app.close());

  it('proxies to it, verified and identified, with keep-alive', async () => {
    const running = await startProxy([...servingArgs(app.server.url, files), ...app.clientArgs]);
    onTestFinished(() => running.stop());
    for (const path of ['/one', '/two', '/three']) {
      const reply = await httpsRequest(`${running.url}${path}`, { ca: ca.cert });
      expect(reply).toMatchObject({ status: 200, body: `GET ${path} from the-sidecar` });
    }
    expect(app.server.requests.map((r) => r.path).slice(-3)).toEqual(['/one', '/two', '/three']);
  });

  it("names the upstream's host in SNI and the certificate check, not the client's Host header", async () => {
    // The certificate is for localhost and 127.0.0.1; a client asking for app.example.com must not make
    // the proxy expect that name on the upstream's certificate.
    const upstream = app.server.url.replace('127.0.0.1', 'localhost');
    const running = await startProxy([...servingArgs(upstream, files), ...app.clientArgs]);
    onTestFinished(() => running.stop());
    const reply = await httpsRequest(`${running.url}/named`, {
      ca: ca.cert,
      headers: { host: 'app.example.com' },
    });
    expect(reply).toMatchObject({ status: 200, body: 'GET /named from the-sidecar' });
    expect(app.server.requests.at(-1)?.headers.host).toBe('app.example.com');
  });

  it('refuses an upstream it cannot verify: 502, and the app never sees the request', async () => {
    const before = app.server.requests.length;
    const running = await startProxy([
      ...servingArgs(app.server.url, files),
      ...['--client-cert-file', app.files.clientCertFile, '--client-key-file', app.files.clientKeyFile],
    ]);
    onTestFinished(() => running.stop());
    const reply = await httpsRequest(`${running.url}/unverified`, { ca: ca.cert });
    expect(reply.status).toBe(502);
    expect(app.server.requests.length).toBe(before);
  });

  it('without the client certificate the app refuses the handshake: 502', async () => {
    const refusedBefore = app.server.refusedHandshakes.length;
    const running = await startProxy([
      ...servingArgs(app.server.url, files),
      ...['--ca-file', app.files.caFile],
    ]);
    onTestFinished(() => running.stop());
    const reply = await httpsRequest(`${running.url}/anonymous`, { ca: ca.cert });
    expect(reply.status).toBe(502);
    expect(app.server.refusedHandshakes.length).toBeGreaterThan(refusedBefore);
  });

  it('the program: worker threads reach it, readiness checks it over TLS, --insecure-skip-verify warns', {
    timeout: 60_000,
  }, async () => {
    const { child, httpsPort, adminPort } = await startProgram(sourceMain, [
      ...servingArgs(app.server.url, files),
      ...['--workers', '2', '--ready-path', '/healthz', '--ready-interval', '200ms'],
      ...['--client-cert-file', app.files.clientCertFile, '--client-key-file', app.files.clientKeyFile],
      '--insecure-skip-verify',
    ]);
    onTestFinished(() => child.stop());
    await child.waitForLog((line) => String(line.msg).includes('--insecure-skip-verify'));
    await child.waitForLog((line) => line.msg === 'ready');
    expect((await getAdmin(adminPort, '/readyz')).status).toBe(200);
    expect(app.server.requests.some((r) => r.path === '/healthz' && r.clientName === 'the-sidecar')).toBe(
      true,
    );
    // Several connections, so both threads' pools are used.
    const replies = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        httpsRequest(`https://127.0.0.1:${httpsPort}/w${i}`, { ca: ca.cert }),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(8).fill(200));
  });

  it('refuses outgoing TLS options for a plain-text upstream, naming the option', async () => {
    await expect(
      startProxy([...servingArgs('http://127.0.0.1:9', files), '--ca-file', app.files.caFile]),
    ).rejects.toThrow(/--ca-file: applies to an https:\/\/ --upstream only/);
    await expect(
      startProxy([
        ...servingArgs(app.server.url, files),
        ...['--client-cert-file', app.files.clientCertFile],
      ]),
    ).rejects.toThrow(/--client-cert-file needs --client-key-file/);
  });
});
