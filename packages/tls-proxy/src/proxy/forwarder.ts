import { Agent, type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { Socket } from 'node:net';
import type { Logger } from '@toolkit/lifecycle';
import { createProxyServer, type ProxyServer } from 'http-proxy-3';
import type { ProxyMetrics } from '../metrics.ts';
import { exchangeOf, shouldRetry, startExchange } from './exchange.ts';
import {
  classifyUpstreamError,
  sendUpgradeFailure,
  sendUpstreamFailure,
  UpstreamTimeoutError,
} from './upstream-errors.ts';

export interface ForwarderOptions {
  upstream: URL;
  /** For an https: upstream: a keep-alive agent with the outgoing trust and identity (lifecycle's OutgoingTls). */
  httpsAgent?: HttpsAgent;
  upstreamTimeoutMs: number;
  connectTimeoutMs: number;
  metrics: ProxyMetrics;
  log: Logger;
  /** Rewrites a response's headers before http-proxy-3 copies them to the client. */
  prepareResponse: (upstream: IncomingMessage, req: IncomingMessage, res: ServerResponse) => void;
}

/**
 * http-proxy-3 with what it still gets wrong fixed around it: a keep-alive agent (without one it sends
 * `Connection: close` on every request), an error callback on every call (with no listener it throws
 * and takes the process down), the chunked-body framing of DELETE and OPTIONS put back (CL.TE
 * smuggling), and an upstream timeout that tells 504 from 502.
 */
export class Forwarder {
  readonly agent: Agent;
  readonly #proxy: ProxyServer;
  readonly #options: ForwarderOptions;
  #failing = false;

  constructor(options: ForwarderOptions) {
    this.#options = options;
    this.agent = options.httpsAgent ?? new Agent({ keepAlive: true, scheduling: 'lifo' });
    this.#proxy = createProxyServer({
      target: options.upstream,
      agent: this.agent,
      connectTimeout: options.connectTimeoutMs,
      xfwd: false,
    });
    // Only reached for errors of the client's own socket during an upgrade (every call passes a
    // callback for upstream errors); the listener also stops http-proxy-3 from throwing them.
    this.#proxy.on('error', (error, _req, res) => {
      options.log.debug({ err: error.message }, 'client connection failed during a WebSocket');
      if (!('setHeader' in res)) res.destroy();
    });
    this.#proxy.on('proxyReq', (proxyReq, req) => this.#attach(proxyReq, req));
    this.#proxy.on('proxyReqWs', (proxyReq, req) => this.#attach(proxyReq, req));
    this.#proxy.on('proxyRes', (upstream, req, res) => {
      if (this.#failing) {
        this.#failing = false;
        options.log.info('upstream answering again');
      }
      options.prepareResponse(upstream, req, res);
    });
    // Runs right after http-proxy-3's deleteLength pass (its `after` inserts before, so name the next one).
    this.#proxy.before('web', 'timeout', (req) => {
      const exchange = exchangeOf(req);
      if (exchange?.transferEncoding && req.headers['transfer-encoding'] === undefined) {
        req.headers['transfer-encoding'] = exchange.transferEncoding;
        delete req.headers['content-length'];
      }
    });
  }

  forward(req: IncomingMessage, res: ServerResponse): void {
    startExchange(req, req.headers['transfer-encoding']);
    this.#proxy.web(req, res, this.#onError);
  }

  /** Passes a WebSocket upgrade through; `done` gets the status once the client socket closes. */
  upgrade(req: IncomingMessage, socket: Socket, head: Buffer, done: (status: number) => void): void {
    const exchange = startExchange(req, undefined);
    socket.once('close', () => done(exchange.status ?? 499));
    this.#proxy.ws(req, socket, head, this.#onError);
  }

  /** Drops the upstream side of a request the proxy has answered itself. */
  cancel(req: IncomingMessage): void {
    const exchange = exchangeOf(req);
    if (!exchange) return;
    exchange.cancelled = true;
    exchange.upstream?.destroy();
  }

  close(): void {
    this.agent.destroy();
  }

  #attach(proxyReq: ClientRequest, req: IncomingMessage): void {
    const exchange = exchangeOf(req);
    if (!exchange) return;
    exchange.upstream = proxyReq;
    if (exchange.cancelled) {
      proxyReq.destroy();
      return;
    }
    const ms = this.#options.upstreamTimeoutMs;
    proxyReq.setTimeout(ms, () => proxyReq.destroy(new UpstreamTimeoutError(ms)));
    if (req.headers.upgrade) {
      proxyReq.once('upgrade', () => {
        exchange.status = 101;
      });
      proxyReq.once('response', (upstream) => {
        exchange.status = upstream.statusCode;
      });
    }
  }

  #onError = (error: Error, req: IncomingMessage, res: ServerResponse | Socket): void => {
    const exchange = exchangeOf(req);
    if (exchange?.cancelled) return;
    const { metrics, log } = this.#options;
    if ('setHeader' in res && exchange && !res.headersSent && shouldRetry(error, req, exchange)) {
      exchange.retried = true;
      exchange.upstream = undefined;
      log.debug({ err: error.message, path: req.url }, 'upstream closed a pooled connection; retrying once');
      this.#proxy.web(req, res, this.#onError);
      return;
    }
    const failure = classifyUpstreamError(error);
    metrics.upstreamErrors.inc({ reason: failure.reason });
    if (!this.#failing) {
      this.#failing = true;
      log.warn(
        { reason: failure.reason, err: error.message, upstream: this.#options.upstream.origin },
        'upstream failed',
      );
    }
    if (!('setHeader' in res)) {
      if (exchange && exchange.status === undefined) {
        exchange.status = failure.status;
        sendUpgradeFailure(res, failure.status);
      }
      return;
    }
    if (res.headersSent) {
      // Half a response must not look whole: cut the connection.
      res.destroy();
      return;
    }
    if (!res.destroyed) sendUpstreamFailure(res, failure.status);
  };
}
