import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipv6Bytes } from '../src/tcp/proxy-header.ts';
import { makeServerFiles, makeTempDir, type Pem } from './helpers/certificates.ts';
import { type RunningProxy, startProxy } from './helpers/proxy.ts';
import { tlsExchange } from './helpers/tcp-client.ts';
import { findClosedPort } from './helpers/upstream.ts';

/**
 * Debian's nginx (installed by scripts/ensure-proxy-tools.sh) as the consumer of the PROXY header:
 * `listen ... proxy_protocol`, logging the address and port the header carried.
 */
async function startNginx(dir: string): Promise<{ port: number; log: string; child: ChildProcess }> {
  const port = await findClosedPort();
  const log = join(dir, 'access.log');
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `daemon off;
master_process off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} info;
events { worker_connections 64; }
http {
  client_body_temp_path ${dir};
  proxy_temp_path ${dir};
  fastcgi_temp_path ${dir};
  uwsgi_temp_path ${dir};
  scgi_temp_path ${dir};
  log_format pp '$proxy_protocol_addr $proxy_protocol_port $remote_addr';
  server {
    listen 127.0.0.1:${port} proxy_protocol;
    access_log ${log} pp;
    location / { return 200 "from nginx\\n"; }
  }
}
`,
  );
  const child = spawn('nginx', ['-e', join(dir, 'error.log'), '-p', dir, '-c', conf], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) break;
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`nginx did not start: ${readFileSync(join(dir, 'error.log'), 'utf8')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { port, log, child };
}

describe('--proxy-protocol, read by nginx', () => {
  let ca: Pem;
  let files: { cert: string; key: string };
  let nginx: Awaited<ReturnType<typeof startNginx>>;
  const proxies: RunningProxy[] = [];

  beforeAll(async () => {
    ({ ca, files } = await makeServerFiles());
    nginx = await startNginx(makeTempDir('tls-proxy-nginx-'));
  });
  afterAll(async () => {
    await Promise.all(proxies.map((proxy) => proxy.stop()));
    nginx?.child.kill('SIGTERM');
  });

  it.each(['v1', 'v2'])('%s: nginx logs the client address and port the header carried', async (version) => {
    const proxy = await startProxy([
      '--mode',
      'tcp',
      '--proxy-protocol',
      version,
      '--upstream',
      `tcp://127.0.0.1:${nginx.port}`,
      '--tls-cert',
      files.cert,
      '--tls-key',
      files.key,
    ]);
    proxies.push(proxy);
    const exchange = await tlsExchange(
      proxy.port,
      'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
      { ca: ca.cert, end: false },
    );
    expect(exchange.reply).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*from nginx\n$/);
    await expect
      .poll(() => readFileSync(nginx.log, 'utf8'))
      .toContain(`127.0.0.1 ${exchange.localPort} 127.0.0.1\n`);
  });

  it('writes IPv6 addresses as their 16 bytes', () => {
    expect(ipv6Bytes('::1')).toEqual([...new Array(15).fill(0), 1]);
    expect(ipv6Bytes('2001:db8::ff00:42:8329')).toEqual([
      0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0x00, 0x00, 0x42, 0x83, 0x29,
    ]);
    expect(ipv6Bytes('::ffff:192.0.2.1').slice(10)).toEqual([0xff, 0xff, 192, 0, 2, 1]);
  });
});
