import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import type * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCa,
  issueServerCertificate,
  makeTempDir,
  type Pem,
  writePair,
} from './helpers/certificates.ts';
import { count, echo, grpcClient, startGrpcServer } from './helpers/grpc.ts';
import { sourceMain, startProgram } from './helpers/program.ts';

/** The SHA-256 fingerprint of the certificate the proxy serves to a new handshake now. */
function servedFingerprint(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', ca, servername: 'localhost' }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.destroy();
    });
    socket.on('error', reject);
  });
}

// gRPC needs HTTP/2 end to end and trailers: a grpc-js client over TLS, tls-proxy --mode tcp --alpn h2,
// and a grpc-js server in h2c behind it, the program run as a real child process.
describe('gRPC through --mode tcp', () => {
  let ca: Pem;
  let dir: string;
  let app: { server: grpc.Server; port: number };

  beforeAll(async () => {
    ca = await createCa();
    dir = makeTempDir();
    writePair(dir, await issueServerCertificate(ca));
    app = await startGrpcServer();
  });
  afterAll(() => app.server.forceShutdown());

  const startProxy = (extra: string[] = []) =>
    startProgram(sourceMain, [
      '--mode',
      'tcp',
      '--alpn',
      'h2',
      '--upstream',
      `tcp://127.0.0.1:${app.port}`,
      '--tls-cert',
      join(dir, 'tls.crt'),
      '--tls-key',
      join(dir, 'tls.key'),
      '--cert-check-interval',
      '200ms',
      ...extra,
    ]);

  it('serves unary calls and a stream of 10,000 messages; a certificate swap midway loses no call', async () => {
    const proxy = await startProxy(['--drain-timeout', '2s']);
    const client = grpcClient(proxy.httpsPort, ca.cert);
    try {
      expect(await echo(client, 'ping')).toBe('ping');
      const before = await servedFingerprint(proxy.httpsPort, ca.cert);
      let swapped: Promise<void> | undefined;
      const streamed = count(client, '10000:1000:40', (index) => {
        if (index === 3000) {
          swapped = (async () => {
            const renewed = await issueServerCertificate(ca);
            writeFileSync(join(dir, 'tls.crt'), renewed.cert);
            writeFileSync(join(dir, 'tls.key'), renewed.key);
          })();
        }
      });
      // Unary calls keep going on the same connection while the stream runs and the pair changes.
      const unary = Promise.all(Array.from({ length: 50 }, (_, i) => echo(client, `call ${i}`)));
      expect(await streamed).toBe(10_000);
      expect(await unary).toHaveLength(50);
      await swapped;
      await proxy.child.waitForLog((line) => line.msg === 'certificate reloaded', 10_000);
      expect(await servedFingerprint(proxy.httpsPort, ca.cert)).not.toBe(before);
      // A new connection gets the new certificate and works.
      const fresh = grpcClient(proxy.httpsPort, ca.cert);
      expect(await echo(fresh, 'after the swap')).toBe('after the swap');
      fresh.close();
    } finally {
      client.close();
      proxy.child.process.kill('SIGTERM');
      await proxy.child.exitCode();
    }
  });

  it('lets an open stream finish on SIGTERM within --drain-timeout, then exits 0', async () => {
    const proxy = await startProxy(['--drain-timeout', '10s']);
    const client = grpcClient(proxy.httpsPort, ca.cert);
    try {
      let signalled = false;
      // About 2 s of stream: 10,000 messages, a 200 ms pause every 1,000.
      const streamed = count(client, '10000:1000:200', (index) => {
        if (index === 2000 && !signalled) {
          signalled = true;
          proxy.child.process.kill('SIGTERM');
        }
      });
      expect(await streamed).toBe(10_000);
      expect(signalled).toBe(true);
      // The proxy cannot tell an idle HTTP/2 connection from a busy one (it parses nothing): it waits
      // for the client to close, here at once, as a client told by its app to go would.
      client.close();
      expect(await proxy.child.exitCode(8000)).toBe(0);
      const connection = proxy.child.logs.find((line) => line.msg === 'connection');
      expect(connection).toMatchObject({ alpn: 'h2', end: expect.stringMatching(/closed$/) });
    } finally {
      client.close();
    }
  });
});
