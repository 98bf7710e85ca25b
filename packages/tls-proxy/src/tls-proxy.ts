import { readFile } from 'node:fs/promises';
import type { Agent as HttpsAgent, AgentOptions as HttpsAgentOptions } from 'node:https';
import { type AddressInfo, isIP, type Socket } from 'node:net';
import { closeServer, type Logger, listen, OutgoingTls } from '@toolkit/lifecycle';
import { normalizeAddress } from './http/trusted-proxies.ts';
import type { ProxyMetrics } from './metrics.ts';
import { Forwarder } from './proxy/forwarder.ts';
import { RequestRecorder } from './server/access-log.ts';
import { answerClientError } from './server/client-errors.ts';
import { ConnectionTracker } from './server/connection-tracker.ts';
import { createHttpsListener } from './server/https-listener.ts';
import { type ListenerService, listenOn, type ServiceListenOptions } from './server/listener-service.ts';
import { createRedirectListener } from './server/redirect-listener.ts';
import {
  createRequestHandler,
  createResponsePreparer,
  type RequestPolicy,
} from './server/request-handler.ts';
import { createUpgradeHandler, isWebSocketUpgrade } from './server/upgrade-handler.ts';
import type { Settings } from './settings.ts';
import { startTcpService } from './tcp/tcp-service.ts';
import { checkCertificate, type LoadedCertificate, loadCertificate } from './tls/certificate-pair.ts';
import { CertificateReloader } from './tls/certificate-reloader.ts';
import { createSelfSignedCertificate } from './tls/self-signed.ts';
import { buildSecureContextOptions, type CertificateMaterial } from './tls/tls-policy.ts';

/** A running proxy: what the program's shutdown steps and the tests hold on to. */
export interface TlsProxy {
  address: AddressInfo;
  redirectAddress: AddressInfo | undefined;
  /** Re-reads the certificate files now (they are also watched and polled). */
  checkCertificate(): Promise<void>;
  /** Stops accepting, lets in-flight requests finish within `graceMs`, closes keep-alive connections. */
  drain(graceMs: number): Promise<void>;
  /** After the drain: upstream keep-alive connections and the certificate watch. */
  close(): void;
}

export async function loadInitialCertificate(settings: Settings, log: Logger): Promise<LoadedCertificate> {
  if (settings.certificate) return loadCertificate(settings.certificate, settings.policy);
  const material = await createSelfSignedCertificate(settings.selfSignedNames);
  if (settings.clientCa) material.ca = await readFile(settings.clientCa, 'utf8');
  log.warn(
    { names: settings.selfSignedNames },
    'no --tls-cert/--tls-key given: serving a self-signed certificate made at start, which clients will not trust',
  );
  return checkCertificate(material, settings.policy);
}

/** Starts the HTTPS listener and everything a request goes through; used alone or in each worker thread. */
export async function startHttpsService(
  settings: Settings,
  log: Logger,
  metrics: ProxyMetrics,
  material: CertificateMaterial,
  listenOptions: ServiceListenOptions = {},
): Promise<ListenerService> {
  const limits = settings;
  const { server, identityOf } = createHttpsListener({
    secureContext: {
      ...buildSecureContextOptions(settings.policy, material),
      ...(listenOptions.ticketKeys ? { ticketKeys: listenOptions.ticketKeys } : {}),
    },
    mutualTls: settings.clientCa !== undefined,
    allowList: settings.allowList,
    maxConnections: settings.maxConnections,
    limits,
    http2: settings.http2,
    metrics,
    log,
    shouldUpgrade: isWebSocketUpgrade,
  });
  const connections = new ConnectionTracker(server, metrics);
  const policy: RequestPolicy = settings;
  const ownTls =
    settings.upstream.protocol === 'https:' && !listenOptions.outgoingTls
      ? await OutgoingTls.open(settings.outgoingTls)
      : undefined;
  const forwarder = new Forwarder({
    upstream: settings.upstream,
    httpsAgent: upstreamHttpsAgent(settings.upstream, listenOptions.outgoingTls ?? ownTls, {
      keepAlive: true,
      scheduling: 'lifo',
    }),
    upstreamTimeoutMs: settings.upstreamTimeoutMs,
    connectTimeoutMs: settings.upstreamConnectTimeoutMs,
    metrics,
    log,
    prepareResponse: createResponsePreparer(policy, connections),
  });
  const recorder = new RequestRecorder(
    metrics,
    settings.accessLog ? (listenOptions.accessLog ?? log) : undefined,
  );
  const parts = { policy, forwarder, recorder, connections, identityOf };
  server.on('request', createRequestHandler(parts));
  server.on('upgrade', createUpgradeHandler(parts));
  // The socket of an HTTPS server's clientError is the TLSSocket (typed as a plain Duplex).
  server.on('clientError', (error, socket) => {
    const tlsSocket = socket as Socket;
    answerClientError(error, tlsSocket, recorder, normalizeAddress(tlsSocket.remoteAddress));
  });

  const address = await listenOn(
    server,
    { host: settings.listen.host, port: listenOptions.port ?? settings.listen.port },
    listenOptions.reusePort === true,
  );
  // After listening, an accept failure (EMFILE under a connection flood) is emitted as 'error': with no
  // listener that would end the process. Log it and keep serving the connections already open.
  server.on('error', (error) => log.error({ err: error.message }, 'HTTPS listener error'));
  return {
    address,
    setCertificate: (next) =>
      server.setSecureContext({
        ...buildSecureContextOptions(settings.policy, next),
        ticketKeys: server.getTicketKeys(),
      }),
    drain: (graceMs) => connections.drain(graceMs),
    close: () => {
      forwarder.close();
      void ownTls?.close();
    },
  };
}

/**
 * The agent for an https: upstream, undefined for http:. SNI and the certificate check name the
 * upstream's host (nginx's proxy_ssl_name default), not the client's Host header, which Node would use.
 */
export function upstreamHttpsAgent(
  upstream: URL,
  outgoingTls: OutgoingTls | undefined,
  options: HttpsAgentOptions = {},
): HttpsAgent | undefined {
  if (upstream.protocol !== 'https:' || !outgoingTls) return undefined;
  const host = upstream.hostname.replace(/^\[(.*)\]$/, '$1');
  // '' (not undefined) for an address: no SNI, and Node then checks the address against the certificate.
  return outgoingTls.httpsAgent({ ...options, servername: isIP(host) ? '' : host });
}

/** The listener of `settings.mode` on this event loop: the main thread's, or one worker thread's. */
export function startService(
  settings: Settings,
  log: Logger,
  metrics: ProxyMetrics,
  material: CertificateMaterial,
  listenOptions: ServiceListenOptions = {},
): Promise<ListenerService> {
  const start = settings.mode === 'tcp' ? startTcpService : startHttpsService;
  return start(settings, log, metrics, material, listenOptions);
}

/** What runs once per process whatever the thread count: certificate watch and the redirect listener. */
export interface FrontParts {
  reloader: CertificateReloader | undefined;
  redirect: ReturnType<typeof createRedirectListener> | undefined;
  redirectAddress: AddressInfo | undefined;
}

/**
 * The certificate watch (it hands checked pairs to `apply`) and the optional redirect listener, both
 * started once the HTTPS side listens.
 */
export async function startFrontParts(
  settings: Settings,
  log: Logger,
  metrics: ProxyMetrics,
  initial: LoadedCertificate,
  apply: (material: CertificateMaterial) => void,
): Promise<FrontParts> {
  metrics.certificateExpiry.set(initial.notAfter.getTime() / 1000);
  const reloader = settings.certificate
    ? new CertificateReloader(
        {
          paths: settings.certificate,
          policy: settings.policy,
          pollIntervalMs: settings.certCheckIntervalMs,
          log,
          apply: (loaded) => {
            apply(loaded.material);
            metrics.certificateExpiry.set(loaded.notAfter.getTime() / 1000);
            metrics.certificateReloads.inc({ result: 'success' });
          },
          onFailure: () => metrics.certificateReloads.inc({ result: 'failure' }),
        },
        initial,
      )
    : undefined;
  reloader?.start();
  const redirect = settings.redirect
    ? createRedirectListener(settings.redirect.httpsPort, settings)
    : undefined;
  const redirectAddress =
    redirect && settings.redirect ? await listen(redirect, settings.redirect.listen) : undefined;
  if (redirectAddress) {
    log.info({ address: `${redirectAddress.address}:${redirectAddress.port}` }, 'HTTP redirect listener up');
    redirect?.on('error', (error) => log.error({ err: error.message }, 'HTTP redirect listener error'));
  }
  return { reloader, redirect, redirectAddress };
}

export function logListenerUp(
  log: Logger,
  settings: Settings,
  address: AddressInfo,
  initial: LoadedCertificate,
  workers: number,
): void {
  log.info(
    {
      address: `${address.address}:${address.port}`,
      mode: settings.mode,
      upstream: settings.mode === 'tcp' ? settings.upstream.href : settings.upstream.origin,
      ...(settings.mode === 'tcp'
        ? { alpn: settings.alpn, proxyProtocol: settings.proxyProtocol ?? 'off' }
        : {}),
      subject: initial.subject,
      notAfter: initial.notAfter.toISOString(),
      workers,
    },
    'HTTPS listener up',
  );
}

/** The proxy on the main thread alone (`--workers 1`). */
export async function startTlsProxy(
  settings: Settings,
  log: Logger,
  metrics: ProxyMetrics,
  listenOptions: Pick<ServiceListenOptions, 'accessLog' | 'outgoingTls'> = {},
): Promise<TlsProxy> {
  const initial = await loadInitialCertificate(settings, log);
  const service = await startService(settings, log, metrics, initial.material, listenOptions);
  logListenerUp(log, settings, service.address, initial, 1);
  const front = await startFrontParts(settings, log, metrics, initial, service.setCertificate);
  return {
    address: service.address,
    redirectAddress: front.redirectAddress,
    checkCertificate: () => front.reloader?.check() ?? Promise.resolve(),
    drain: async (graceMs) => {
      await Promise.all([
        service.drain(graceMs),
        front.redirect ? closeServer(front.redirect, Math.min(graceMs, 1000)) : undefined,
      ]);
    },
    close: () => {
      front.reloader?.stop();
      service.close();
    },
  };
}
