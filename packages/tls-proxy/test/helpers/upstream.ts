import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * A real plain-HTTP app on 127.0.0.1 for the proxy to front. Paths: `/slow?ms=N` answers after N ms,
 * `/hang` never answers, `/reset` drops the connection, `/big?bytes=N` sends N bytes, `/hop` answers
 *  with hop-by-hop headers, `/healthz` follows `healthy`, anything else
 * echoes the request as JSON. WebSocket connections echo every message.
 */
export class TestUpstream {
  readonly server: Server;
  readonly requests: SeenRequest[] = [];
  /** Requests whose connection closed before they were answered (the proxy gave up on them). */
  readonly abandoned: string[] = [];
  connections = 0;
  /** What `/healthz` answers: 200 when true, 503 when false. */
  healthy = true;
  readonly #sockets = new Set<Socket>();
  readonly #wss = new WebSocketServer({ noServer: true });

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://upstream');
        this.requests.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        });
        res.on('close', () => {
          if (!res.writableFinished) this.abandoned.push(req.url ?? '');
        });
        switch (url.pathname) {
          case '/healthz':
            res.writeHead(this.healthy ? 200 : 503).end();
            return;
          case '/hang':
            return;
          case '/reset':
            req.socket.destroy();
            return;
          case '/slow': {
            const timer = setTimeout(
              () => res.end('slow answer\n'),
              Number(url.searchParams.get('ms') ?? 100),
            );
            res.on('close', () => clearTimeout(timer));
            return;
          }
          case '/hop':
            // Hop-by-hop headers of the app's own connection: none may reach the client.
            res.writeHead(200, {
              connection: 'close, x-internal',
              'x-internal': '1',
              'keep-alive': 'timeout=1',
            });
            res.end('hop\n');
            return;
          case '/big':
            res.end(Buffer.alloc(Number(url.searchParams.get('bytes') ?? 1024), 'x'));
            return;
          default:
            res.setHeader('content-type', 'application/json');
            res.end(
              JSON.stringify({
                method: req.method,
                url: req.url,
                headers: req.headers,
                body: Buffer.concat(chunks).toString(),
              }),
            );
        }
      });
    });
    this.server.on('connection', (socket: Socket) => {
      this.connections += 1;
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    this.server.on('upgrade', (req, socket, head) => {
      this.#wss.handleUpgrade(req, socket, head, (ws) => {
        this.requests.push({ method: 'GET', url: req.url ?? '', headers: req.headers, body: '' });
        ws.on('message', (data, binary) => ws.send(data, { binary }));
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get openConnections(): number {
    return this.#sockets.size;
  }

  async stop(): Promise<void> {
    for (const client of this.#wss.clients) client.terminate();
    this.server.closeAllConnections();
    for (const socket of this.#sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** A port nothing listens on: bind, note it, release. */
export async function findClosedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
