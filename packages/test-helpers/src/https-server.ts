import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Pem } from './certificates.ts';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Common name of the client certificate the request came with. */
  clientName: string | undefined;
}

export interface HttpsTestServer {
  /** `https://127.0.0.1:PORT` */
  url: string;
  readonly requests: ReceivedRequest[];
  /** TLS handshakes the server refused (no client certificate, one it does not trust). */
  readonly refusedHandshakes: string[];
  close(): Promise<void>;
}

export interface HttpsTestServerOptions {
  /** The server's certificate (signed by the private CA the client must be given). */
  certificate: Pem;
  /** When set, only clients with a certificate signed by this CA get through the handshake. */
  clientCa?: string;
  /** The answer to every request: status and body (a function sees the request). */
  respond?: (request: ReceivedRequest) => { status: number; body?: string; headers?: Record<string, string> };
}

/** A real HTTPS server on 127.0.0.1:0 that records each request and each refused handshake. */
export async function startHttpsServer(options: HttpsTestServerOptions): Promise<HttpsTestServer> {
  const requests: ReceivedRequest[] = [];
  const refusedHandshakes: string[] = [];
  const server: Server = createServer(
    {
      cert: options.certificate.cert,
      key: options.certificate.key,
      ...(options.clientCa ? { ca: options.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
    },
    (req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        body += chunk;
      });
      req.on('end', () => {
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        const request: ReceivedRequest = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body,
          clientName: peer?.subject?.CN as string | undefined,
        };
        requests.push(request);
        const answer = options.respond?.(request) ?? { status: 200, body: 'ok' };
        res.writeHead(answer.status, answer.headers ?? {});
        res.end(answer.body ?? '');
      });
    },
  );
  server.on('tlsClientError', (error) => refusedHandshakes.push(error.message));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    requests,
    refusedHandshakes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
