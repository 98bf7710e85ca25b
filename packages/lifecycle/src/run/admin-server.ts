import { createServer, type Server } from 'node:http';
import { type ListenAddress, listen } from '../address.ts';
import { type AdminRoutes, sendText } from '../admin.ts';
import type { Logger } from '../logger.ts';

/**
 * What one client may hold of the admin server, which the pod network reaches (probes, scrapes,
 * webhooks): a request head within 10 s and a whole request within 30 s (a slow sender is closed,
 * checked every 2 s), and 256 connections at once, past which new ones are closed at accept, so a
 * flood of idle or slow connections cannot use up the program's file descriptors. A long-poll answer
 * (sync?wait) is not bounded by these: they time the request, not the response.
 */
export const adminServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  checkIntervalMs: 2_000,
  maxConnections: 256,
};

/** The `--admin-addr` server: the admin routes, 404 for any other path, 500 when a handler throws. */
export async function startAdminServer(
  admin: AdminRoutes,
  address: ListenAddress,
  log: Logger,
): Promise<Server> {
  const limits = adminServerLimits;
  const options = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: limits.checkIntervalMs,
  };
  const server = createServer(options, (req, res) => {
    admin
      .handle(req, res)
      .then((handled) => handled || sendText(res, 404, 'not found\n'))
      .catch((error) => {
        log.error({ err: error }, 'admin request failed');
        if (!res.headersSent) sendText(res, 500, 'internal error\n');
      });
  });
  // Longer than the usual client idle timeouts, so a webhook sender or scraper reusing a connection
  // does not race the server closing it (Node's default is 5 s).
  server.keepAliveTimeout = 65_000;
  server.maxConnections = limits.maxConnections;
  const bound = await listen(server, address);
  log.info({ address: `${bound.address}:${bound.port}` }, 'admin server listening');
  return server;
}
