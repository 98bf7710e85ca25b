import { request } from 'node:http';
import { Agent } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeServerFiles, type Pem } from './helpers/certificates.ts';
import { exchangeRaw, httpsRequest } from './helpers/client.ts';
import { type RunningProxy, servingArgs, startProxy } from './helpers/proxy.ts';
import { TestUpstream } from './helpers/upstream.ts';

const spoofed = {
  'x-forwarded-for': '6.6.6.6',
  'x-forwarded-proto': 'http',
  'x-forwarded-host': 'evil.example',
  'x-forwarded-port': '1',
  forwarded: 'for=6.6.6.6;proto=http',
  'x-real-ip': '6.6.6.6',
};

describe('headers', () => {
  const upstream = new TestUpstream();
  let ca: Pem;
  let files: { cert: string; key: string };
  let proxy: RunningProxy;
  const seen = async (headers: Record<string, string>, target = proxy) => {
    const reply = await httpsRequest(`${target.url}/h`, { ca: ca.cert, headers });
    return { reply, upstream: JSON.parse(reply.body).headers as Record<string, string> };
  };

  beforeAll(async () => {
    await upstream.start();
    ({ ca, files } = await makeServerFiles());
    proxy = await startProxy([
      ...servingArgs(upstream.url, files),
      '--hsts-max-age',
      '8760h',
      '--hsts-include-subdomains',
      '--redirect-listen',
      '127.0.0.1:0',
      '--redirect-port',
      '8443',
    ]);
  });
  afterAll(async () => {
    await proxy?.stop();
    await upstream.stop();
  });

  it('sets X-Forwarded-*, X-Real-IP and Forwarded, dropping what an untrusted client sent', async () => {
    const { upstream: headers } = await seen(spoofed);
    expect(headers).toMatchObject({
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': `127.0.0.1:${proxy.port}`,
      'x-forwarded-port': String(proxy.port),
      'x-real-ip': '127.0.0.1',
      forwarded: `for=127.0.0.1;proto=https;host="127.0.0.1:${proxy.port}"`,
      host: `127.0.0.1:${proxy.port}`,
    });
  });

  it('keeps and appends to the values of a trusted proxy', async () => {
    const trusting = await startProxy([
      ...servingArgs(upstream.url, files),
      '--trusted-proxies',
      '10.0.0.0/8,127.0.0.1',
    ]);
    try {
      const { upstream: headers } = await seen(spoofed, trusting);
      expect(headers).toMatchObject({
        'x-forwarded-for': '6.6.6.6, 127.0.0.1',
        'x-forwarded-proto': 'http',
        'x-forwarded-host': 'evil.example',
        'x-real-ip': '6.6.6.6',
        forwarded: `for=6.6.6.6;proto=http, for=127.0.0.1;proto=https;host="127.0.0.1:${trusting.port}"`,
      });
    } finally {
      await trusting.stop();
    }
  });

  it('drops hop-by-hop headers and those the client names in Connection, both ways', async () => {
    const raw = await exchangeRaw(
      proxy.port,
      ca.cert,
      'GET /h HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive, x-secret\r\nX-Secret: 1\r\nKeep-Alive: timeout=999\r\nTE: trailers\r\nProxy-Authorization: Basic eA==\r\n\r\n',
      1000,
    );
    const headers = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)).headers as Record<string, string>;
    for (const name of ['x-secret', 'te', 'proxy-authorization'])
      expect(headers, name).not.toHaveProperty(name);
    expect(headers['keep-alive']).toBeUndefined();
    // The response carries the proxy's own keep-alive terms, not the app's.
    expect(raw).toMatch(/\r\nkeep-alive: timeout=60\r\n/i);

    const agent = new Agent({ keepAlive: true });
    const reply = await httpsRequest(`${proxy.url}/hop`, { ca: ca.cert, agent });
    agent.destroy();
    expect(reply.status).toBe(200);
    expect(reply.headers).not.toHaveProperty('x-internal');
    expect(reply.headers).toMatchObject({ connection: 'keep-alive', 'keep-alive': 'timeout=60' });
  });

  it('adds HSTS', async () => {
    const { reply } = await seen({});
    expect(reply.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });

  it('redirects plain HTTP to HTTPS on the redirect listener', async () => {
    const port = proxy.proxy.redirectAddress!.port;
    const ask = (method: string, host: string, path: string) =>
      new Promise<{ status: number; location?: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, method, path, headers: { host } }, (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, location: res.headers.location });
        });
        req.on('error', reject);
        req.end();
      });
    expect(await ask('GET', 'shop.example:80', '/a/b?c=1')).toEqual({
      status: 301,
      location: 'https://shop.example:8443/a/b?c=1',
    });
    expect(await ask('POST', 'shop.example', '/form')).toEqual({
      status: 308,
      location: 'https://shop.example:8443/form',
    });
    expect((await ask('GET', 'evil.example/@x', '/')).status).toBe(400);
    expect(upstream.requests.some((r) => r.url === '/a/b?c=1')).toBe(false);
  });
});
