import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import type { BlockList, Socket } from 'node:net';
import { setForwardedHeaders } from '../http/forwarded-headers.ts';
import { stripRequestHopByHop, stripResponseHopByHop } from '../http/hop-by-hop.ts';
import { isTrusted, normalizeAddress } from '../http/trusted-proxies.ts';
import type { Forwarder } from '../proxy/forwarder.ts';
import type { RequestRecorder } from './access-log.ts';
import { limitBody } from './body-limit.ts';
import type { ConnectionTracker } from './connection-tracker.ts';

export interface RequestPolicy {
  trustedProxies: BlockList | undefined;
  identityHeader: string;
  hsts: string | undefined;
  idleTimeoutMs: number;
  maxBodySize: number;
}

export interface RequestHandlerParts {
  policy: RequestPolicy;
  forwarder: Forwarder;
  recorder: RequestRecorder;
  connections: ConnectionTracker;
  /** The verified client certificate of a connection, in header form; undefined without mTLS. */
  identityOf: (socket: Socket) => string | undefined;
}

/** Rewrites the request's headers for the upstream: what the proxy vouches for replaces what the client said. */
export function prepareRequestHeaders(
  req: IncomingMessage,
  parts: RequestHandlerParts,
  upgrade: boolean,
): void {
  const { policy } = parts;
  const socket = req.socket;
  const client = normalizeAddress(socket.remoteAddress);
  // h2 names the host in `:authority` (a `host` header is optional there); the app gets it as Host.
  const authority = req.headers[':authority'];
  if (typeof authority === 'string') req.headers.host = authority;
  stripRequestHopByHop(req.headers, upgrade);
  setForwardedHeaders(req.headers, {
    client,
    port: socket.localPort ?? 0,
    proto: 'https',
    trusted: isTrusted(policy.trustedProxies, client),
  });
  delete req.headers[policy.identityHeader];
  const identity = parts.identityOf(socket);
  if (identity !== undefined) req.headers[policy.identityHeader] = identity;
}

export function createRequestHandler(
  parts: RequestHandlerParts,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { policy, forwarder, recorder, connections } = parts;
  const responseDone = () => connections.responseDone();
  return (req, res) => {
    recorder.watch(req, res, normalizeAddress(req.socket.remoteAddress), responseDone);
    if (req.httpVersionMajor === 2) frameHttp2Body(req);
    if (!limitBody(req, res, policy.maxBodySize, () => forwarder.cancel(req))) return;
    prepareRequestHeaders(req, parts, false);
    forwarder.forward(req, res);
  };
}

/**
 * An h2 request body has no framing header of its own (DATA frames until END_STREAM). Without a
 * Content-Length it is sent to the app chunked, and so counted by --max-body-size and never retried,
 * as an HTTP/1.1 chunked body is. (h2 forbids a client's own Transfer-Encoding: Node refuses it.)
 */
function frameHttp2Body(req: IncomingMessage): void {
  const { stream } = req as unknown as Http2ServerRequest;
  if (req.headers['content-length'] === undefined && !stream.endAfterHeaders) {
    req.headers['transfer-encoding'] = 'chunked';
  }
}

/** Response headers: hop-by-hop ones dropped, keep-alive decided here (closing while draining), HSTS added. */
export function createResponsePreparer(
  policy: RequestPolicy,
  connections: ConnectionTracker,
): (upstream: IncomingMessage, req: IncomingMessage, res: ServerResponse) => void {
  const keepAlive = `timeout=${Math.floor(policy.idleTimeoutMs / 1000)}`;
  return (upstream, req, res) => {
    const headers = upstream.headers;
    stripResponseHopByHop(headers);
    // h2 has no connection headers (a drain sends GOAWAY instead); http-proxy-3 drops them there too.
    if (req.httpVersionMajor !== 2) {
      if (res.shouldKeepAlive && !connections.draining) {
        headers.connection = 'keep-alive';
        headers['keep-alive'] = keepAlive;
      } else {
        headers.connection = 'close';
      }
    }
    if (policy.hsts && headers['strict-transport-security'] === undefined) {
      headers['strict-transport-security'] = policy.hsts;
    }
  };
}
