import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCa,
  issueCertificate,
  issueServerCertificate,
  makeTempDir,
  type Pem,
  writePair,
} from './helpers/certificates.ts';
import { httpsRequest } from './helpers/client.ts';
import { metricValue, type RunningProxy, servingArgs, startProxy } from './helpers/proxy.ts';
import { TestUpstream } from './helpers/upstream.ts';

describe('client certificates (mTLS)', () => {
  const upstream = new TestUpstream();
  let serverCa: Pem;
  let clientCa: Pem;
  let strangerCa: Pem;
  let proxy: RunningProxy;
  const clients: Record<string, Pem> = {};

  const call = (client: Pem | undefined, headers: Record<string, string> = {}) =>
    httpsRequest(`${proxy.url}/who`, { ca: serverCa.cert, ...(client ?? {}), headers });

  beforeAll(async () => {
    await upstream.start();
    [serverCa, clientCa, strangerCa] = await Promise.all([
      createCa('Server CA'),
      createCa('Client CA'),
      createCa('Stranger CA'),
    ]);
    const dir = makeTempDir();
    const files = writePair(dir, await issueServerCertificate(serverCa));
    writeFileSync(join(dir, 'client-ca.crt'), clientCa.cert);
    clients.byCn = await issueCertificate(clientCa, 'billing', [], 'client');
    clients.byDns = await issueCertificate(
      clientCa,
      'x',
      [{ type: 2, value: 'api.shop.internal' }],
      'client',
    );
    clients.bySpiffe = await issueCertificate(
      clientCa,
      'y',
      [{ type: 6, value: 'spiffe://cluster.local/ns/shop/sa/web' }],
      'client',
    );
    clients.notAllowed = await issueCertificate(
      clientCa,
      'intruder',
      [{ type: 6, value: 'spiffe://cluster.local/ns/other/sa/web' }],
      'client',
    );
    clients.stranger = await issueCertificate(strangerCa, 'billing', [], 'client');
    proxy = await startProxy([
      ...servingArgs(upstream.url, files),
      '--client-ca',
      join(dir, 'client-ca.crt'),
      '--allow-cn',
      'billing',
      '--allow-dns',
      '*.shop.internal',
      '--allow-uri',
      'spiffe://cluster.local/ns/shop/sa/*',
    ]);
  });
  afterAll(async () => {
    await proxy?.stop();
    await upstream.stop();
  });

  it('lets in clients on any allow-list and passes their identity upstream', async () => {
    for (const [name, expected] of [
      ['byCn', 'Subject="CN=billing"'],
      ['byDns', 'DNS=api.shop.internal'],
      ['bySpiffe', 'URI=spiffe://cluster.local/ns/shop/sa/web'],
    ] as const) {
      const reply = await call(clients[name]);
      expect(reply.status, name).toBe(200);
      const header = JSON.parse(reply.body).headers['x-forwarded-client-cert'] as string;
      expect(header).toContain(expected);
      expect(header).toMatch(/^Hash=[0-9a-f]{64};/);
    }
  });

  it('replaces a client-sent identity header with the verified one', async () => {
    const reply = await call(clients.byCn, {
      'x-forwarded-client-cert': 'Hash=forged;URI=spiffe://cluster.local/ns/admin',
    });
    const header = JSON.parse(reply.body).headers['x-forwarded-client-cert'] as string;
    expect(header).not.toContain('forged');
    expect(header).toContain('CN=billing');
  });

  it('refuses a client without a certificate, with one from another CA, and one not allowed; counts each', async () => {
    await expect(call(undefined)).rejects.toThrow();
    await expect(call(clients.stranger)).rejects.toThrow();
    await expect(call(clients.notAllowed)).rejects.toThrow();
    expect(upstream.requests.filter((r) => r.url === '/who')).toHaveLength(4);
    await expect
      .poll(async () => ({
        none: await metricValue(proxy.registry, 'tls_proxy_tls_handshake_failures_total', {
          reason: 'no_client_certificate',
        }),
        bad: await metricValue(proxy.registry, 'tls_proxy_tls_handshake_failures_total', {
          reason: 'bad_client_certificate',
        }),
        denied: await metricValue(proxy.registry, 'tls_proxy_tls_handshake_failures_total', {
          reason: 'client_not_allowed',
        }),
      }))
      .toEqual({ none: 1, bad: 1, denied: 1 });
  });
});
