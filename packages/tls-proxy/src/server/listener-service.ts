import type { AddressInfo, Server } from 'node:net';
import type { ListenAddress, Logger, OutgoingTls } from '@toolkit/lifecycle';
import type { CertificateMaterial } from '../tls/tls-policy.ts';

/** The TLS side of a proxy on one event loop, in either mode: the listener and its connections. */
export interface ListenerService {
  address: AddressInfo;
  /** Serves a checked pair to new handshakes (open connections keep theirs), with the same ticket keys. */
  setCertificate(material: CertificateMaterial): void;
  drain(graceMs: number): Promise<void>;
  close(): void;
}

export interface ServiceListenOptions {
  /** Overrides the port of `settings.listen` (workers after the first take the port it got). */
  port?: number;
  /** SO_REUSEPORT: several listeners (one per worker thread) on one address, the kernel spreads connections. */
  reusePort?: boolean;
  /** 48 bytes shared by every listener, so a TLS session resumes on whichever one a client reaches. */
  ticketKeys?: Buffer;
  /** Where access-log lines go (a buffered logger: one per request); the main log when unset. */
  accessLog?: Logger;
  /** Trust and identity towards an https: upstream (the main thread's); a worker thread opens its own. */
  outgoingTls?: OutgoingTls;
}

/** Listens (an HTTPS or a plain TLS server); resolves with the address it got. */
export function listenOn(server: Server, address: ListenAddress, reusePort: boolean): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: address.port, host: address.host, reusePort }, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}
