import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ListenAddress {
  host: string;
  port: number;
}

/** `0.0.0.0:8080`, `:8080` (all interfaces), `[::1]:8080`, `localhost:0`. Undefined when malformed. */
export function parseListenAddress(text: string): ListenAddress | undefined {
  const match = text.match(/^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}

/** Listens and resolves with the bound address (port 0 becomes the real port). */
export function listen(server: Server, address: ListenAddress): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * Stops accepting, lets in-flight requests finish, drops idle keep-alive sockets at once, and destroys
 * whatever is still open when `graceMs` runs out.
 */
export function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}
