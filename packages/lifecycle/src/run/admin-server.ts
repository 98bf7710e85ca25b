import { createServer, type Server } from 'node:http';
import { type ListenAddress, listen } from '../address.ts';
import { type AdminRoutes, sendText } from '../admin.ts';
import type { Logger } from '../logger.ts';

/** The `--admin-addr` server: the admin routes, 404 for any other path, 500 when a handler throws. */
export async function startAdminServer(
  admin: AdminRoutes,
  address: ListenAddress,
  log: Logger,
): Promise<Server> {
  const server = createServer((req, res) => {
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
  const bound = await listen(server, address);
  log.info({ address: `${bound.address}:${bound.port}` }, 'admin server listening');
  return server;
}
