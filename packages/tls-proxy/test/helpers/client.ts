import type { IncomingHttpHeaders } from 'node:http';
import { type Agent, request } from 'node:https';
import { type ConnectionOptions, connect, type TLSSocket } from 'node:tls';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RequestOptions {
  ca?: string;
  cert?: string;
  key?: string;
  method?: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  agent?: Agent;
  timeoutMs?: number;
}

/** One HTTPS request with real certificate checks against `ca`; rejects on a network error or timeout. */
export function httpsRequest(url: string, options: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        ca: options.ca,
        cert: options.cert,
        key: options.key,
        servername: 'localhost',
        agent: options.agent ?? false,
        timeout: options.timeoutMs ?? 5000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    // Whether the TLS handshake ever completed (if not, the server never accepted the connection), and
    // whether the request went out on a kept-alive connection (a reset there is one a client may retry).
    let handshaked = false;
    req.on('socket', (socket) => {
      if (!socket.connecting && (socket as TLSSocket).encrypted) handshaked = true;
      else
        socket.once('secureConnect', () => {
          handshaked = true;
        });
    });
    req.on('error', (error) => reject(Object.assign(error, { reusedSocket: req.reusedSocket, handshaked })));
    req.end(options.body);
  });
}

/** Handshake only: resolves with the negotiated protocol, or the error code the client saw. */
export function tryHandshake(
  port: number,
  options: ConnectionOptions,
): Promise<{ protocol?: string; cipher?: string; error?: string }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ...options });
    socket.setTimeout(5000, () => socket.destroy(new Error('handshake timed out')));
    socket.once('secureConnect', () => {
      const result = { protocol: socket.getProtocol() ?? undefined, cipher: socket.getCipher().name };
      // Reading one byte proves the server kept the connection (TLS 1.3 client certs are checked after).
      socket.end();
      resolve(result);
    });
    socket.once('error', (error: Error & { code?: string }) =>
      resolve({ error: error.code ?? error.message }),
    );
  });
}

/** Opens a TLS connection, sends `raw` bytes, collects what comes back until the server closes or `ms` passes. */
export function exchangeRaw(port: number, ca: string, raw: string | Buffer, ms = 5000): Promise<string> {
  return new Promise((resolve) => {
    let received = '';
    const socket: TLSSocket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () =>
      socket.write(raw),
    );
    const timer = setTimeout(() => socket.destroy(), ms);
    socket.on('data', (chunk) => {
      received += chunk;
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
  });
}

export function statusOf(rawResponse: string): number {
  return Number(rawResponse.match(/^HTTP\/1\.1 (\d{3})/)?.[1] ?? 0);
}
