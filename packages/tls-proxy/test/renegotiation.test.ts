import { once } from 'node:events';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeServerFiles, type Pem } from './helpers/certificates.ts';
import { type RunningProxy, startProxy } from './helpers/proxy.ts';
import { TestUpstream } from './helpers/upstream.ts';

// A client-initiated TLS 1.2 renegotiation costs the server a full handshake for a few bytes of the
// client's: refused in both modes (nginx refuses it too), and the certificate reload keeps it refused.
describe.each(['http', 'tcp'])('TLS 1.2 renegotiation, --mode %s', (mode) => {
  const upstream = new TestUpstream();
  let ca: Pem;
  let proxy: RunningProxy;

  beforeAll(async () => {
    await upstream.start();
    const server = await makeServerFiles();
    ca = server.ca;
    proxy = await startProxy([
      '--mode',
      mode,
      '--upstream',
      mode === 'tcp' ? `tcp://127.0.0.1:${new URL(upstream.url).port}` : upstream.url,
      '--tls-cert',
      server.files.cert,
      '--tls-key',
      server.files.key,
    ]);
  });
  afterAll(async () => {
    await proxy?.stop();
    await upstream.stop();
  });

  it('is refused: the connection fails with no_renegotiation', async () => {
    const socket = connect({
      port: proxy.port,
      host: '127.0.0.1',
      servername: 'localhost',
      ca: ca.cert,
      maxVersion: 'TLSv1.2',
    });
    await once(socket, 'secureConnect');
    expect(socket.getProtocol()).toBe('TLSv1.2');
    const failed = new Promise<Error & { code?: string }>((resolve) => socket.once('error', resolve));
    // Node's client really sends a new ClientHello (OpenSSL's SSL_renegotiate), as `openssl s_client` does on 'R'.
    expect(socket.renegotiate({ rejectUnauthorized: true }, () => {})).toBe(true);
    socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const error = await failed;
    // OpenSSL's reason for the server's no_renegotiation alert (Node reports it on the write as EPROTO).
    expect(error.message).toMatch(/:no renegotiation:/);
    socket.destroy();
  });
});
