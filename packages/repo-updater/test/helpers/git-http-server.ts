import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Pem } from '@toolkit/test-helpers';

export interface GitHttpServerOptions {
  /** Serve HTTPS with this certificate. */
  certificate?: Pem;
  /** Sees each request first; true when it answered it (another API beside git's, on the same port). */
  route?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

/**
 * git's smart HTTP protocol on 127.0.0.1: `git http-backend` (CGI) behind a small Node server, with
 * optional basic auth. It can be stopped and started again on the same port, to play a remote that
 * goes away and comes back.
 */
export class GitHttpServer {
  readonly #projectRoot: string;
  #server: Server | undefined;
  port = 0;
  /** When set, requests need basic auth with this user and password. */
  credentials: { username: string; password: string } | undefined;
  /** Authorization headers received, in order, to check what git sent. */
  readonly authorizations: string[] = [];
  requests = 0;

  readonly #options: GitHttpServerOptions;

  constructor(projectRoot: string, options: GitHttpServerOptions = {}) {
    this.#projectRoot = projectRoot;
    this.#options = options;
  }

  url(name: string): string {
    return `${this.#options.certificate ? 'https' : 'http'}://127.0.0.1:${this.port}/${name}`;
  }

  async start(): Promise<void> {
    const handle = (req: IncomingMessage, res: ServerResponse) => this.#handle(req, res);
    const { certificate } = this.#options;
    const server = certificate
      ? createHttpsServer({ cert: certificate.cert, key: certificate.key }, handle)
      : createServer(handle);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    if (this.#options.route?.(req, res)) return;
    this.requests++;
    const authorization = req.headers.authorization;
    if (authorization) this.authorizations.push(authorization);
    if (this.credentials) {
      const expected = `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}`;
      if (authorization !== expected) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="git"' });
        res.end('unauthorized\n');
        return;
      }
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const backend = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: this.#projectRoot,
        GIT_HTTP_EXPORT_ALL: '1',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
        GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
        REMOTE_USER: this.credentials?.username ?? '',
        REMOTE_ADDR: '127.0.0.1',
      },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    req.pipe(backend.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    backend.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) return void res.write(chunk);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      for (const line of head.subarray(0, end).toString().split('\r\n')) {
        const [name, ...rest] = line.split(':');
        const value = rest.join(':').trim();
        if (name!.toLowerCase() === 'status') status = Number.parseInt(value, 10);
        else res.setHeader(name!, value);
      }
      res.writeHead(status);
      res.write(head.subarray(end + 4));
    });
    backend.on('close', () => res.end());
  }
}
