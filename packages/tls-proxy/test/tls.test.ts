import type { X509Certificate } from 'node:crypto';
import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeServerFiles, type Pem } from './helpers/certificates.ts';
import { httpsRequest, tryHandshake } from './helpers/client.ts';
import { metricValue, servingArgs, startProxy, useServingProxy } from './helpers/proxy.ts';
import { TestUpstream } from './helpers/upstream.ts';

// OpenSSL 3 will not even offer TLS 1.1 at its default security level: lower it on the client so the
// refusal tested is the proxy's.
const oldClient = { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } as const;

describe('TLS policy', () => {
  const serving = useServingProxy();

  it('accepts TLS 1.2 and 1.3 with a verified certificate and proxies the request', async () => {
    for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
      const result = await tryHandshake(serving.proxy.port, {
        ca: serving.ca.cert,
        minVersion: version,
        maxVersion: version,
      });
      expect(result).toMatchObject({ protocol: version });
    }
    const reply = await httpsRequest(`${serving.proxy.url}/hello`, { ca: serving.ca.cert });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ url: '/hello' });
  });

  it('refuses TLS 1.1 and counts it as protocol_version', async () => {
    const before = await metricValue(serving.proxy.registry, 'tls_proxy_tls_handshake_failures_total', {
      reason: 'protocol_version',
    });
    const result = await tryHandshake(serving.proxy.port, { ca: serving.ca.cert, ...oldClient });
    expect(result.error).toMatch(/ALERT_PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL/);
    await expect
      .poll(() =>
        metricValue(serving.proxy.registry, 'tls_proxy_tls_handshake_failures_total', {
          reason: 'protocol_version',
        }),
      )
      .toBe(before + 1);
  });

  it('counts plain HTTP sent to the HTTPS port, and keeps serving', async () => {
    await new Promise<void>((resolve) => {
      const socket = connect(serving.proxy.port, '127.0.0.1', () =>
        socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
      );
      socket.on('error', () => {});
      socket.on('close', () => resolve());
      socket.resume();
    });
    await expect
      .poll(() =>
        metricValue(serving.proxy.registry, 'tls_proxy_tls_handshake_failures_total', {
          reason: 'plain_http',
        }),
      )
      .toBe(1);
    expect((await httpsRequest(`${serving.proxy.url}/`, { ca: serving.ca.cert })).status).toBe(200);
  });

  it('exports the expiry of the certificate in service', async () => {
    const expiry = await metricValue(
      serving.proxy.registry,
      'tls_proxy_certificate_expiry_timestamp_seconds',
    );
    const days = (expiry * 1000 - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29);
    expect(days).toBeLessThan(31);
  });
});

describe('TLS options', () => {
  const upstream = new TestUpstream();
  let ca: Pem;
  let files: { cert: string; key: string };
  beforeAll(async () => {
    await upstream.start();
    ({ ca, files } = await makeServerFiles());
  });
  afterAll(() => upstream.stop());

  it('--tls-min-version TLSv1.3 refuses TLS 1.2', async () => {
    const proxy = await startProxy([...servingArgs(upstream.url, files), '--tls-min-version', 'TLSv1.3']);
    try {
      expect(await tryHandshake(proxy.port, { ca: ca.cert, maxVersion: 'TLSv1.2' })).toHaveProperty('error');
      expect(await tryHandshake(proxy.port, { ca: ca.cert })).toMatchObject({ protocol: 'TLSv1.3' });
    } finally {
      await proxy.stop();
    }
  });

  it('--tls-ciphers limits the TLS 1.2 suites and counts a client with none of them', async () => {
    const proxy = await startProxy([
      ...servingArgs(upstream.url, files),
      '--tls-ciphers',
      'TLS_AES_256_GCM_SHA384:ECDHE-ECDSA-AES256-GCM-SHA384',
    ]);
    try {
      const tls12 = { ca: ca.cert, maxVersion: 'TLSv1.2' } as const;
      expect(await tryHandshake(proxy.port, tls12)).toMatchObject({
        cipher: 'ECDHE-ECDSA-AES256-GCM-SHA384',
      });
      expect(
        await tryHandshake(proxy.port, { ...tls12, ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' }),
      ).toHaveProperty('error');
      await expect
        .poll(() =>
          metricValue(proxy.registry, 'tls_proxy_tls_handshake_failures_total', {
            reason: 'no_shared_cipher',
          }),
        )
        .toBe(1);
    } finally {
      await proxy.stop();
    }
  });

  it('makes a self-signed certificate for the given names when none is given', async () => {
    const proxy = await startProxy([
      '--upstream',
      upstream.url,
      '--self-signed-names',
      'localhost,app.internal,127.0.0.1',
    ]);
    try {
      const served = await new Promise<X509Certificate>((resolve, reject) => {
        const socket = tlsConnect({ host: '127.0.0.1', port: proxy.port, rejectUnauthorized: false }, () => {
          resolve(socket.getPeerX509Certificate()!);
          socket.end();
        });
        socket.on('error', reject);
      });
      expect(served.subjectAltName).toContain('DNS:app.internal');
      expect(served.subjectAltName).toContain('IP Address:127.0.0.1');
      expect(served.issuer).toBe(served.subject);
      const reply = await httpsRequest(`${proxy.url}/`, { ca: served.toString() });
      expect(reply.status).toBe(200);
    } finally {
      await proxy.stop();
    }
  });
});
