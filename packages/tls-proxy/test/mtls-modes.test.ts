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
import { metricValue, type RunningProxy, startProxy } from './helpers/proxy.ts';
import { TestUpstream } from './helpers/upstream.ts';

/** Who connects, and whether the allow-lists below let them in. */
const cases = [
  { name: 'allowed by CN', admitted: true },
  { name: 'allowed by DNS SAN', admitted: true },
  { name: 'allowed by SPIFFE URI', admitted: true },
  { name: 'no certificate', admitted: false, reason: 'no_client_certificate' },
  { name: 'signed by another CA', admitted: false, reason: 'bad_client_certificate' },
  { name: 'on no allow-list', admitted: false, reason: 'client_not_allowed' },
] as const;

// The same table of clients against both modes: the TLS guard is one piece of code, and this shows it.
describe.each(['http', 'tcp'])('mTLS allow-lists, --mode %s', (mode) => {
  const upstream = new TestUpstream();
  let serverCa: Pem;
  let proxy: RunningProxy;
  const clients = new Map<string, Pem | undefined>();

  beforeAll(async () => {
    await upstream.start();
    const [clientCa, strangerCa] = await Promise.all([createCa('Client CA'), createCa('Stranger CA')]);
    serverCa = await createCa('Server CA');
    const dir = makeTempDir();
    const files = writePair(dir, await issueServerCertificate(serverCa));
    writeFileSync(join(dir, 'client-ca.crt'), clientCa.cert);
    clients.set('allowed by CN', await issueCertificate(clientCa, 'billing', [], 'client'));
    clients.set(
      'allowed by DNS SAN',
      await issueCertificate(clientCa, 'x', [{ type: 2, value: 'api.shop.internal' }], 'client'),
    );
    clients.set(
      'allowed by SPIFFE URI',
      await issueCertificate(
        clientCa,
        'y',
        [{ type: 6, value: 'spiffe://cluster.local/ns/shop/sa/web' }],
        'client',
      ),
    );
    clients.set('no certificate', undefined);
    clients.set('signed by another CA', await issueCertificate(strangerCa, 'billing', [], 'client'));
    clients.set(
      'on no allow-list',
      await issueCertificate(
        clientCa,
        'intruder',
        [{ type: 6, value: 'spiffe://cluster.local/ns/other/sa/web' }],
        'client',
      ),
    );
    proxy = await startProxy([
      '--mode',
      mode,
      // --mode tcp passes the HTTP bytes on to the same HTTP app, so one client serves both modes.
      '--upstream',
      mode === 'tcp' ? `tcp://127.0.0.1:${new URL(upstream.url).port}` : upstream.url,
      '--tls-cert',
      files.cert,
      '--tls-key',
      files.key,
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

  it.each(cases)('$name: admitted $admitted', async (entry) => {
    const client = clients.get(entry.name);
    const before = upstream.requests.length;
    const call = httpsRequest(`${proxy.url}/who`, { ca: serverCa.cert, ...(client ?? {}) });
    if (entry.admitted) {
      expect((await call).status).toBe(200);
      expect(upstream.requests.length).toBe(before + 1);
      return;
    }
    await expect(call).rejects.toThrow();
    expect(upstream.requests.length).toBe(before);
    await expect
      .poll(() =>
        metricValue(proxy.registry, 'tls_proxy_tls_handshake_failures_total', { reason: entry.reason }),
      )
      .toBe(1);
  });
});
