import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeServerFiles, type Pem } from './helpers/certificates.ts';
import { exchangeRaw, httpsRequest, statusOf } from './helpers/client.ts';
import { metricValue, type RunningProxy, startProxy } from './helpers/proxy.ts';
import { findClosedPort, TestUpstream } from './helpers/upstream.ts';

const upstreamErrors = (proxy: RunningProxy, reason: string) =>
  metricValue(proxy.registry, 'tls_proxy_upstream_errors_total', { reason });

describe('failures and limits', () => {
  const upstream = new TestUpstream();
  let ca: Pem;
  let files: { cert: string; key: string };
  let proxy: RunningProxy;
  const base = () => ['--tls-cert', files.cert, '--tls-key', files.key];

  beforeAll(async () => {
    await upstream.start();
    ({ ca, files } = await makeServerFiles());
    proxy = await startProxy([
      ...base(),
      '--upstream',
      upstream.url,
      '--upstream-timeout',
      '300ms',
      '--header-timeout',
      '500ms',
      '--max-body-size',
      '1000',
    ]);
  });
  afterAll(async () => {
    await proxy?.stop();
    await upstream.stop();
  });

  it('answers 502 at once when the upstream is down, and stays up', async () => {
    const down = await startProxy([...base(), '--upstream', `http://127.0.0.1:${await findClosedPort()}`]);
    try {
      const started = performance.now();
      expect((await httpsRequest(`${down.url}/`, { ca: ca.cert })).status).toBe(502);
      expect(performance.now() - started).toBeLessThan(1000);
      expect((await httpsRequest(`${down.url}/`, { ca: ca.cert })).status).toBe(502);
      expect(await upstreamErrors(down, 'refused')).toBe(2);
    } finally {
      await down.stop();
    }
  });

  it('answers 504 when the upstream is slower than --upstream-timeout, and drops the upstream request', async () => {
    const started = performance.now();
    const reply = await httpsRequest(`${proxy.url}/slow?ms=5000`, { ca: ca.cert });
    expect(reply.status).toBe(504);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(await upstreamErrors(proxy, 'timeout')).toBe(1);
    await expect.poll(() => upstream.abandoned).toContain('/slow?ms=5000');
  });

  it('answers 502 when the upstream resets the connection', async () => {
    expect((await httpsRequest(`${proxy.url}/reset`, { ca: ca.cert })).status).toBe(502);
    expect(await upstreamErrors(proxy, 'reset')).toBeGreaterThanOrEqual(1);
  });

  it('drops the upstream request when the client hangs up early (no leak)', async () => {
    await new Promise<void>((resolve) => {
      const socket = tlsConnect(
        { host: '127.0.0.1', port: proxy.port, ca: ca.cert, servername: 'localhost' },
        () => {
          socket.write('GET /hang HTTP/1.1\r\nHost: localhost\r\n\r\n');
          setTimeout(() => socket.destroy(), 100);
        },
      );
      socket.on('close', () => resolve());
    });
    await expect.poll(() => upstream.abandoned, { timeout: 2000 }).toContain('/hang');
    await expect
      .poll(() => metricValue(proxy.registry, 'tls_proxy_requests_total', { method: 'GET', status: '499' }))
      .toBe(1);
  });

  it('answers 431 to a head over --max-header-size', async () => {
    const raw = await exchangeRaw(
      proxy.port,
      ca.cert,
      `GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(statusOf(raw)).toBe(431);
  });

  it('answers 413 to a declared body over --max-body-size without calling the upstream', async () => {
    const before = upstream.requests.length;
    const raw = await exchangeRaw(
      proxy.port,
      ca.cert,
      'POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000\r\n\r\n',
    );
    expect(statusOf(raw)).toBe(413);
    expect(upstream.requests.length).toBe(before);
  });

  it('answers 413 when a chunked body grows past --max-body-size, and the upstream never gets it whole', async () => {
    const raw = await new Promise<string>((resolve) => {
      let received = '';
      const socket = tlsConnect(
        { host: '127.0.0.1', port: proxy.port, ca: ca.cert, servername: 'localhost' },
        () => {
          socket.write('POST /chunked HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n');
          let sent = 0;
          const timer = setInterval(() => {
            if (received || sent > 20) return clearInterval(timer);
            socket.write(`190\r\n${'b'.repeat(400)}\r\n`);
            sent += 1;
          }, 20);
        },
      );
      socket.on('data', (chunk) => {
        received += chunk;
      });
      socket.on('error', () => {});
      socket.on('close', () => resolve(received));
    });
    expect(statusOf(raw)).toBe(413);
    expect(upstream.requests.some((r) => r.url === '/chunked')).toBe(false);
  });

  it('answers 408 to a client that never finishes its headers', async () => {
    const started = performance.now();
    const raw = await exchangeRaw(
      proxy.port,
      ca.cert,
      'GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: 1\r\n',
      5000,
    );
    expect(statusOf(raw)).toBe(408);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('drops a connection that never starts the TLS handshake, counting a timeout', async () => {
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const socket = connect(proxy.port, '127.0.0.1');
      socket.on('error', () => {});
      socket.on('close', () => resolve());
    });
    expect(performance.now() - started).toBeLessThan(3000);
    await expect
      .poll(() =>
        metricValue(proxy.registry, 'tls_proxy_tls_handshake_failures_total', { reason: 'timeout' }),
      )
      .toBe(1);
  });

  it('answers 400 to malformed requests (CL and TE together, a bad chunk)', async () => {
    const both =
      'POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n';
    expect(statusOf(await exchangeRaw(proxy.port, ca.cert, both))).toBe(400);
    const badChunk =
      'POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n';
    expect(statusOf(await exchangeRaw(proxy.port, ca.cert, badChunk))).toBe(400);
  });

  it('keeps the framing of a chunked DELETE body, so nothing can be smuggled after it', async () => {
    const smuggled = 'GET /smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n';
    const body = `${smuggled.length.toString(16)}\r\n${smuggled}\r\n0\r\n\r\n`;
    const raw = await exchangeRaw(
      proxy.port,
      ca.cert,
      `DELETE /item HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${body}`,
    );
    expect(statusOf(raw)).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(upstream.requests.find((r) => r.url === '/item')).toMatchObject({
      method: 'DELETE',
      body: smuggled,
    });
    expect(upstream.requests.some((r) => r.url === '/smuggled')).toBe(false);
  });
});
