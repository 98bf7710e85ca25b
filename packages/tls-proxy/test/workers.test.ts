import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { Child } from '@toolkit/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  createCa,
  issueServerCertificate,
  makeServerFiles,
  makeTempDir,
  type Pem,
} from './helpers/certificates.ts';
import { httpsRequest } from './helpers/client.ts';
import { bundle, getAdmin, sourceMain, startProgram } from './helpers/program.ts';
import { servingArgs } from './helpers/proxy.ts';
import { servedFingerprint } from './helpers/served-certificate.ts';
import { TestUpstream } from './helpers/upstream.ts';

const workers = 3;

/** Which worker served each path, from the access log (every line carries its worker's index). */
function workerOf(logs: Record<string, unknown>[], path: string): unknown {
  return logs.find((line) => line.msg === 'request' && line.path === path)?.worker;
}

/** One GET on a new TLS connection, offering `session`; resolves with the reply's first line and the session. */
function getOnNewConnection(
  port: number,
  ca: string,
  path: string,
  session?: Buffer,
): Promise<{ status: string; reused: boolean; session: Buffer | undefined }> {
  return new Promise((resolve, reject) => {
    let received = '';
    let latest: Buffer | undefined;
    let reused = false;
    const socket: TLSSocket = connect(
      { host: '127.0.0.1', port, ca, servername: 'localhost', ...(session ? { session } : {}) },
      () => {
        reused = socket.isSessionReused();
        socket.write(`GET ${path} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n`);
      },
    );
    // TLS 1.3 sends its tickets after the handshake: keep the last one seen.
    socket.on('session', (ticket: Buffer) => {
      latest = ticket;
    });
    socket.setTimeout(5000, () => socket.destroy(new Error('timed out')));
    socket.on('data', (chunk) => {
      received += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ status: received.split('\r\n')[0] ?? '', reused, session: latest }));
  });
}

describe(`tls-proxy with --workers ${workers}`, () => {
  const upstream = new TestUpstream();
  let ca: Pem;
  let files: { cert: string; key: string };
  const start = (extra: string[] = []) =>
    startProgram(sourceMain, [
      ...servingArgs(upstream.url, files),
      '--workers',
      String(workers),
      '--cert-check-interval',
      '100ms',
      ...extra,
    ]);

  beforeAll(async () => {
    await upstream.start();
    ({ ca, files } = await makeServerFiles());
  });
  afterAll(() => upstream.stop());

  it('spreads connections over the workers, sums their metrics, resumes TLS sessions on any of them', async () => {
    const { child, httpsPort, adminPort } = await start();
    try {
      expect(await child.waitForLog((line) => line.msg === 'HTTPS listener up')).toMatchObject({ workers });
      const paths = Array.from({ length: 24 }, (_, i) => `/spread-${i}`);
      // agent: false: a new connection (and handshake) per request, so the kernel picks a listener each time.
      const replies = await Promise.all(
        paths.map((path) => httpsRequest(`https://127.0.0.1:${httpsPort}${path}`, { ca: ca.cert })),
      );
      expect(replies.map((reply) => reply.status)).toEqual(paths.map(() => 200));
      await expect.poll(() => paths.every((path) => workerOf(child.logs, path) !== undefined)).toBe(true);
      const served = new Set(paths.map((path) => workerOf(child.logs, path)));
      expect(served.size).toBeGreaterThan(1);

      const metrics = (await getAdmin(adminPort, '/metrics')).body;
      expect(metrics).toContain(`tls_proxy_requests_total{method="GET",status="200"} ${paths.length}`);
      expect(metrics).toContain(`tls_proxy_request_duration_seconds_count ${paths.length}`);
      expect(metrics).toMatch(/^tls_proxy_open_connections \d+$/m);
      expect(metrics).toContain('tls_proxy_upstream_errors_total{reason="refused"} 0');
      expect(metrics).toMatch(/^tls_proxy_certificate_expiry_timestamp_seconds \d+/m);
      // The main thread's own process metrics are there once, next to the workers' sums.
      expect(metrics.match(/^# TYPE process_cpu_seconds_total /gm)).toHaveLength(1);

      // The ticket keys are shared: a session from one worker resumes on whichever one a connection reaches.
      const first = await getOnNewConnection(httpsPort, ca.cert, '/resume-first');
      expect(first.session).toBeDefined();
      const resumed = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          getOnNewConnection(httpsPort, ca.cert, `/resume-${i}`, first.session),
        ),
      );
      expect(resumed.map((r) => [r.status, r.reused])).toEqual(resumed.map(() => ['HTTP/1.1 200 OK', true]));
      await expect.poll(() => workerOf(child.logs, '/resume-11')).toBeDefined();
      const resumedOn = new Set(resumed.map((_, i) => workerOf(child.logs, `/resume-${i}`)));
      expect(resumedOn.size).toBeGreaterThan(1);
    } finally {
      child.process.kill('SIGTERM');
      expect(await child.exitCode()).toBe(0);
    }
  });

  it('passes WebSockets through every worker and keeps the redirect listener on the main thread', async () => {
    const { child, httpsPort } = await start(['--redirect-listen', '127.0.0.1:0', '--redirect-port', '8443']);
    try {
      const sockets = await Promise.all(
        Array.from(
          { length: 12 },
          (_, i) =>
            new Promise<WebSocket>((resolve, reject) => {
              const ws = new WebSocket(`wss://127.0.0.1:${httpsPort}/chat-${i}`, { ca: ca.cert });
              ws.once('open', () => resolve(ws));
              ws.once('error', reject);
            }),
        ),
      );
      const echoes = await Promise.all(
        sockets.map(
          (ws, i) =>
            new Promise<string>((resolve) => {
              ws.once('message', (data) => resolve(String(data)));
              ws.send(`hello ${i}`);
            }),
        ),
      );
      expect(echoes).toEqual(sockets.map((_, i) => `hello ${i}`));
      for (const ws of sockets) ws.close();
      const redirect = await child.waitForLog((line) => line.msg === 'HTTP redirect listener up');
      const redirectPort = Number(String(redirect.address).split(':').at(-1));
      const location = await new Promise<string | undefined>((resolve, reject) => {
        request(
          { host: '127.0.0.1', port: redirectPort, path: '/x', headers: { host: 'example.test' } },
          (res) => {
            res.resume();
            resolve(res.headers.location);
          },
        )
          .on('error', reject)
          .end();
      });
      expect(location).toBe('https://example.test:8443/x');
      await expect.poll(() => child.logs.filter((line) => line.websocket === true).length).toBe(12);
      const workersSeen = new Set(
        child.logs.filter((line) => line.websocket === true).map((line) => line.worker),
      );
      expect(workersSeen.size).toBeGreaterThan(1);
    } finally {
      child.process.kill('SIGTERM');
      expect(await child.exitCode()).toBe(0);
    }
  });

  it('puts a reloaded certificate in service on every worker', async () => {
    const own = await makeServerFiles();
    const { child, httpsPort } = await startProgram(sourceMain, [
      ...servingArgs(upstream.url, own.files),
      '--workers',
      String(workers),
      '--cert-check-interval',
      '100ms',
    ]);
    try {
      const before = await servedFingerprint(httpsPort);
      const next = await issueServerCertificate(await createCa('Next CA'));
      writeFileSync(own.files.key, next.key);
      writeFileSync(own.files.cert, next.cert);
      await child.waitForLog((line) => line.msg === 'certificate reloaded');
      // Each worker applies the message on its own loop: poll until 30 new connections all see the new pair.
      await expect
        .poll(async () => {
          const seen = await Promise.all(Array.from({ length: 30 }, () => servedFingerprint(httpsPort)));
          return seen.every((fingerprint) => fingerprint !== before);
        })
        .toBe(true);
    } finally {
      child.process.kill('SIGTERM');
      expect(await child.exitCode()).toBe(0);
    }
  });

  it('drains every worker on SIGTERM: requests in flight finish, then exit 0', async () => {
    const { child, httpsPort, adminPort } = await start(['--drain-timeout', '5s']);
    const url = `https://127.0.0.1:${httpsPort}`;
    const slow = Array.from({ length: 12 }, (_, i) =>
      httpsRequest(`${url}/slow?ms=800&n=${i}`, { ca: ca.cert, timeoutMs: 8000 }),
    );
    await expect
      .poll(
        async () =>
          (await getAdmin(adminPort, '/metrics')).body.match(/^tls_proxy_open_connections (\d+)$/m)?.[1],
      )
      .toBe('12');
    child.process.kill('SIGTERM');
    const replies = await Promise.all(slow);
    expect(replies.map((reply) => reply.status)).toEqual(slow.map(() => 200));
    expect(await child.exitCode()).toBe(0);
    // In flight on more than one worker, and each one logged its request before the process stopped.
    const servedBy = new Set(slow.map((_, i) => workerOf(child.logs, `/slow?ms=800&n=${i}`)));
    expect(servedBy.has(undefined)).toBe(false);
    expect(servedBy.size).toBeGreaterThan(1);
    expect(child.logs.at(-1)).toMatchObject({ msg: 'stopped', exitCode: 0 });
  });

  it('fails to start, exit 1, when a worker cannot listen', async () => {
    // A listener without SO_REUSEPORT holds the port: the first worker's listen fails.
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const failing = new Child(sourceMain, [
        ...servingArgs(upstream.url, files),
        '--workers',
        '2',
        '--listen',
        `127.0.0.1:${port}`,
        '--admin-addr',
        '127.0.0.1:0',
      ]);
      expect(await failing.exitCode()).toBe(1);
      expect(failing.logs.find((line) => line.level === 'fatal')?.msg).toMatch(
        /worker thread failed to start.*EADDRINUSE/,
      );
    } finally {
      holder.close();
    }
  });

  it('shuts down, draining the others, and exits 1 when a worker crashes', async () => {
    // A copy of the bundle whose worker 1 throws soon after it listens: the crash is real, no test hook.
    const built = spawnSync(process.execPath, ['scripts/build.ts', 'tls-proxy'], {
      cwd: join(import.meta.dirname, '..', '..', '..'),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(built.status, built.stderr).toBe(0);
    const listening = 'post({ type: "listening", port: service.address.port });';
    const source = readFileSync(bundle, 'utf8');
    expect(source).toContain(listening);
    const crashing = join(makeTempDir(), 'tls-proxy-crashing.mjs');
    writeFileSync(
      crashing,
      source.replace(
        listening,
        `${listening} if (start.index === 1) setTimeout(() => { throw new Error("boom in worker"); }, 300);`,
      ),
    );
    const { child, httpsPort } = await startProgram(crashing, [
      ...servingArgs(upstream.url, files),
      '--workers',
      '2',
      '--drain-timeout',
      '5s',
    ]);
    // A request in flight on the worker that stays up is still answered during the shutdown.
    const slow = Array.from({ length: 6 }, (_, i) =>
      httpsRequest(`https://127.0.0.1:${httpsPort}/slow?ms=600&n=${i}`, {
        ca: ca.cert,
        timeoutMs: 8000,
      }).then(
        (reply) => reply.status,
        (error: Error) => error.message,
      ),
    );
    expect(await child.exitCode()).toBe(1);
    expect(child.logs.find((line) => line.msg === 'worker thread stopped')).toMatchObject({
      level: 'error',
      worker: 1,
      err: 'boom in worker',
    });
    expect(child.logs.find((line) => line.level === 'fatal')).toMatchObject({
      msg: 'worker thread crashed',
      err: { message: expect.stringContaining('boom in worker') },
    });
    const statuses = await Promise.all(slow);
    const onSurvivor = slow.filter((_, i) => workerOf(child.logs, `/slow?ms=600&n=${i}`) === 0).length;
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(onSurvivor);
    expect(child.logs.at(-1)).toMatchObject({ msg: 'stopped', exitCode: 1 });
  });
});
