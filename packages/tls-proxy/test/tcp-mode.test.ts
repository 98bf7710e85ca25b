import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { createLogger } from '@toolkit/lifecycle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeServerFiles, makeTempDir, type Pem } from './helpers/certificates.ts';
import { metricValue, type RunningProxy, startProxy } from './helpers/proxy.ts';
import { tlsExchange } from './helpers/tcp-client.ts';
import { findClosedPort } from './helpers/upstream.ts';

/** An app that reads until the client's FIN, then answers `got:<what it read>` and closes: half-close. */
async function startAnswerAfterEnd(path?: string): Promise<{ server: Server; target: string }> {
  const server = createServer({ allowHalfOpen: true }, (socket: Socket) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => socket.end(`got:${Buffer.concat(chunks)}`));
    socket.on('error', () => {});
  });
  if (path) server.listen(path);
  else server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return {
    server,
    target: typeof address === 'string' ? address : `tcp://127.0.0.1:${address?.port}`,
  };
}

describe('--mode tcp', () => {
  let ca: Pem;
  let files: { cert: string; key: string };
  let app: { server: Server; target: string };
  const proxies: RunningProxy[] = [];
  const lines: Record<string, unknown>[] = [];

  const start = async (args: string[]) => {
    const proxy = await startProxy(
      ['--mode', 'tcp', '--tls-cert', files.cert, '--tls-key', files.key, ...args],
      // The access log, read back as the program writes it (JSON lines).
      createLogger('tls-proxy', 'info', { write: (line) => lines.push(JSON.parse(line)) }),
    );
    proxies.push(proxy);
    return proxy;
  };

  beforeAll(async () => {
    ({ ca, files } = await makeServerFiles());
    app = await startAnswerAfterEnd();
  });
  afterAll(async () => {
    await Promise.all(proxies.map((proxy) => proxy.stop()));
    app.server.close();
  });

  it('passes bytes both ways with the half-close kept, logs the connection and counts it', async () => {
    const proxy = await start(['--upstream', app.target]);
    const exchange = await tlsExchange(proxy.port, 'hello over tls', { ca: ca.cert });
    expect(exchange).toMatchObject({ reply: 'got:hello over tls', alpn: false, clean: true });
    await expect
      .poll(() => metricValue(proxy.registry, 'tls_proxy_connections_total', { outcome: 'client_closed' }))
      .toBe(1);
    expect(
      await metricValue(proxy.registry, 'tls_proxy_connection_bytes_total', { direction: 'received' }),
    ).toBe(14);
    expect(await metricValue(proxy.registry, 'tls_proxy_connection_bytes_total', { direction: 'sent' })).toBe(
      18,
    );
    const line = lines.find((entry) => entry.msg === 'connection');
    expect(line).toMatchObject({
      client: '127.0.0.1',
      sni: 'localhost',
      alpn: null,
      identity: null,
      received: 14,
      sent: 18,
      end: 'client_closed',
    });
  });

  it('passes on to a Unix socket', async () => {
    const socketApp = await startAnswerAfterEnd(join(makeTempDir(), 'app.sock'));
    try {
      const proxy = await start(['--upstream', socketApp.target]);
      expect((await tlsExchange(proxy.port, 'via unix', { ca: ca.cert })).reply).toBe('got:via unix');
    } finally {
      socketApp.server.close();
    }
  });

  it('offers no ALPN protocol by default, and those of --alpn when set', async () => {
    const plain = await start(['--upstream', app.target]);
    expect((await tlsExchange(plain.port, 'x', { ca: ca.cert, alpn: ['h2', 'http/1.1'] })).alpn).toBe(false);
    const h2 = await start(['--upstream', app.target, '--alpn', 'h2']);
    expect((await tlsExchange(h2.port, 'x', { ca: ca.cert, alpn: ['h2', 'http/1.1'] })).alpn).toBe('h2');
    await expect.poll(() => metricValue(h2.registry, 'tls_proxy_connections_total', { alpn: 'h2' })).toBe(1);
  });

  it('closes the client connection when the upstream refuses, and says so', async () => {
    const proxy = await start(['--upstream', `tcp://127.0.0.1:${await findClosedPort()}`]);
    const exchange = await tlsExchange(proxy.port, 'anyone?', { ca: ca.cert });
    expect(exchange.reply).toBe('');
    await expect
      .poll(() => metricValue(proxy.registry, 'tls_proxy_connections_total', { outcome: 'upstream_refused' }))
      .toBe(1);
  });

  it('closes both sides of a connection idle for --idle-timeout', async () => {
    const proxy = await start(['--upstream', app.target, '--idle-timeout', '300ms']);
    const started = Date.now();
    const exchange = await tlsExchange(proxy.port, 'then silence', { ca: ca.cert, end: false });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(exchange.reply).toBe('');
    await expect
      .poll(() => metricValue(proxy.registry, 'tls_proxy_connections_total', { outcome: 'idle_timeout' }))
      .toBe(1);
  });

  it('closes connections past --max-connections at once and counts them', async () => {
    const proxy = await start(['--upstream', app.target, '--max-connections', '1']);
    const first = connect({ port: proxy.port, host: '127.0.0.1', ca: ca.cert, servername: 'localhost' });
    await once(first, 'secureConnect');
    const second = await tlsExchange(proxy.port, 'me too', { ca: ca.cert });
    expect(second.reply).toBe('');
    expect(await metricValue(proxy.registry, 'tls_proxy_connections_refused_total')).toBe(1);
    first.resume();
    first.end('first');
    await once(first, 'close');
  });

  it('refuses a bad --upstream, --alpn or an http-only option, naming it', async () => {
    await expect(start(['--upstream', 'udp://127.0.0.1:53'])).rejects.toThrow(/--upstream: with --mode tcp/);
    await expect(start(['--upstream', 'http://127.0.0.1:80/app'])).rejects.toThrow(/--upstream/);
    await expect(start(['--upstream', app.target, '--ready-path', '/readyz'])).rejects.toThrow(
      /--ready-path/,
    );
    await expect(startProxy(['--proxy-protocol', 'v1'])).rejects.toThrow(
      /--proxy-protocol: applies to --mode tcp/,
    );
  });
});
