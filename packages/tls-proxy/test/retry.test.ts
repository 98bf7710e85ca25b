import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCa,
  issueServerCertificate,
  makeTempDir,
  type Pem,
  writePair,
} from './helpers/certificates.ts';
import { httpsRequest } from './helpers/client.ts';
import { type RunningProxy, startProxy } from './helpers/proxy.ts';

describe('retry on a pooled connection the app closed', () => {
  let app: Server;
  let connections = 0;
  let ca: Pem;
  let proxy: RunningProxy;

  beforeAll(async () => {
    // Answers the first request on each connection with keep-alive, then drops the connection on the next:
    // the race a pooled connection loses when the app's keep-alive timeout fires.
    app = createServer((socket: Socket) => {
      connections += 1;
      let requests = 0;
      socket.on('data', (chunk) => {
        if (!chunk.includes('\r\n\r\n')) return;
        requests += 1;
        if (requests > 1) socket.destroy();
        else socket.write('HTTP/1.1 200 OK\r\ncontent-length: 3\r\nconnection: keep-alive\r\n\r\nok\n');
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    ca = await createCa();
    const files = writePair(makeTempDir(), await issueServerCertificate(ca));
    const port = (app.address() as { port: number }).port;
    proxy = await startProxy([
      '--upstream',
      `http://127.0.0.1:${port}`,
      '--tls-cert',
      files.cert,
      '--tls-key',
      files.key,
    ]);
  });
  afterAll(async () => {
    await proxy?.stop();
    await new Promise((resolve) => app.close(resolve));
  });

  it('retries an idempotent request once on a new connection, but not a POST', async () => {
    expect((await httpsRequest(`${proxy.url}/a`, { ca: ca.cert })).status).toBe(200);
    expect((await httpsRequest(`${proxy.url}/b`, { ca: ca.cert })).status).toBe(200);
    expect(connections).toBe(2);
    const post = await httpsRequest(`${proxy.url}/c`, { ca: ca.cert, method: 'POST', body: 'x' });
    expect(post.status).toBe(502);
  });
});
