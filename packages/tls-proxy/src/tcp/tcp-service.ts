import type { Socket } from 'node:net';
import { createServer, type TLSSocket } from 'node:tls';
import type { Logger } from '@toolkit/lifecycle';
import { normalizeAddress } from '../http/trusted-proxies.ts';
import type { ProxyMetrics } from '../metrics.ts';
import { type ListenerService, listenTls, type ServiceListenOptions } from '../server/listener-service.ts';
import type { Settings } from '../settings.ts';
import { guardTlsServer } from '../tls/tls-guard.ts';
import { buildSecureContextOptions, type CertificateMaterial } from '../tls/tls-policy.ts';
import { buildProxyHeader } from './proxy-header.ts';
import { type Relay, relayConnection } from './relay.ts';

/**
 * `--mode tcp` on one event loop: a TLS server (the same policy, certificate reload, ticket keys and
 * mTLS guard as the HTTPS one) whose every connection is relayed to the upstream, one access-log line
 * and the connection metrics per connection. A drain stops accepting, lets open connections run for
 * the grace time and cuts the rest.
 */
export async function startTcpService(
  settings: Settings,
  log: Logger,
  metrics: ProxyMetrics,
  material: CertificateMaterial,
  listenOptions: ServiceListenOptions = {},
): Promise<ListenerService> {
  const target = settings.tcpTarget!;
  const server = createServer({
    ...buildSecureContextOptions(settings.policy, material),
    ...(listenOptions.ticketKeys ? { ticketKeys: listenOptions.ticketKeys } : {}),
    requestCert: settings.clientCa !== undefined,
    rejectUnauthorized: false,
    ...(settings.alpn.length > 0 ? { ALPNProtocols: settings.alpn } : {}),
    handshakeTimeout: settings.headerTimeoutMs,
    allowHalfOpen: true,
    noDelay: true,
  });
  const identityOf = guardTlsServer(server, {
    mutualTls: settings.clientCa !== undefined,
    allowList: settings.allowList,
    maxConnections: settings.maxConnections,
    metrics,
    log,
  });
  const accessLog = settings.accessLog ? (listenOptions.accessLog ?? log) : undefined;
  // Every TCP connection from accept to close, handshaking ones too (the drain cuts those as well).
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    metrics.openConnections.inc();
    socket.once('close', () => {
      sockets.delete(socket);
      metrics.openConnections.dec();
    });
  });
  const relays = new Set<Relay>();
  let allRelaysDone: (() => void) | undefined;
  server.on('secureConnection', (client: TLSSocket) => {
    // Refused by the mTLS guard (listed first): nothing to relay.
    if (client.destroyed) return;
    const alpn = client.alpnProtocol || 'none';
    // Read now: a closed socket no longer knows its peer.
    const clientAddress = normalizeAddress(client.remoteAddress);
    const relay = relayConnection(
      client,
      {
        target,
        connectTimeoutMs: settings.upstreamConnectTimeoutMs,
        idleTimeoutMs: settings.idleTimeoutMs,
        header: settings.proxyProtocol ? buildProxyHeader(settings.proxyProtocol, client) : undefined,
      },
      (result) => {
        relays.delete(relay);
        if (relays.size === 0) allRelaysDone?.();
        metrics.connections.inc({ outcome: result.end, alpn });
        metrics.connectionBytes.inc({ direction: 'received' }, result.received);
        metrics.connectionBytes.inc({ direction: 'sent' }, result.sent);
        metrics.connectionDuration.observe(result.ms / 1000);
        accessLog?.info(
          {
            client: clientAddress,
            sni: client.servername || null,
            alpn: client.alpnProtocol || null,
            identity: identityOf(client) ?? null,
            received: result.received,
            sent: result.sent,
            ms: Math.round(result.ms * 10) / 10,
            end: result.end,
          },
          'connection',
        );
      },
    );
    relays.add(relay);
  });

  // One sweep for every connection's idle timeout, a quarter of it apart (at most a second).
  const idleSweep = setInterval(
    () => {
      const now = performance.now();
      for (const relay of relays) relay.checkIdle(now);
    },
    Math.min(1000, Math.max(10, settings.idleTimeoutMs / 4)),
  );
  idleSweep.unref();

  return {
    ...(await listenTls(server, settings, listenOptions, log, 'TLS')),
    drain: async (graceMs) => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const force = setTimeout(() => {
        for (const relay of relays) relay.cut();
        for (const socket of sockets) socket.destroy();
      }, graceMs);
      force.unref();
      if (sockets.size > 0) {
        log.info({ open: sockets.size, graceMs }, 'draining: open connections get the grace time');
      }
      await closed;
      // The server closes with its last client socket; its relay logs once the upstream side is closed too.
      if (relays.size > 0) await new Promise<void>((resolve) => (allRelaysDone = resolve));
      clearTimeout(force);
    },
    close: () => clearInterval(idleSweep),
  };
}
