import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { normalizeAddress } from '../http/trusted-proxies.ts';
import { prepareRequestHeaders, type RequestHandlerParts } from './request-handler.ts';

/** Only WebSocket upgrades are passed through; any other `Upgrade` is served as a plain request. */
export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  return req.method === 'GET' && req.headers.upgrade?.toLowerCase() === 'websocket';
}

/**
 * Passes a WebSocket through: same header rewriting as a request, then bytes both ways until either
 * side closes. Logged and counted when it closes (status 101 when the upgrade went through).
 */
export function createUpgradeHandler(
  parts: RequestHandlerParts,
): (req: IncomingMessage, socket: Socket, head: Buffer) => void {
  const { forwarder, recorder, connections } = parts;
  return (req, socket, head) => {
    const client = normalizeAddress(socket.remoteAddress);
    const started = performance.now();
    const record = (status: number) =>
      recorder.record({
        method: req.method,
        path: req.url,
        status,
        ms: performance.now() - started,
        client,
        websocket: true,
      });
    if (connections.draining) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      record(503);
      return;
    }
    prepareRequestHeaders(req, parts, true);
    forwarder.upgrade(req, socket, head, record);
  };
}
