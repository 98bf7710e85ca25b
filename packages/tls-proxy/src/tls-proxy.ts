import { readFile } from 'node:fs/promises';
import type { AddressInfo, Socket } from 'node:net';
import { closeServer, type Logger, listen } from '@toolkit/lifecycle';
import { normalizeAddress } from './http/trusted-proxies.ts';
import type { ProxyMetrics } from './metrics.ts';
import { Forwarder } from './proxy/forwarder.ts';
import { RequestRecorder } from './server/access-log.ts';
import { answerClientError } from './server/client-errors.ts';
import { ConnectionTracker } from './server/connection-tracker.ts';
import { createHttpsListener } from './server/https-listener.ts';
import { createRedirectListener } from './server/redirect-listener.ts';
import {
  createRequestHandler,
  createResponsePreparer,
  type RequestPolicy,
} from './server/request-handler.ts';
import { createUpgradeHandler, isWebSocketUpgrade } from './server/upgrade-handler.ts';
import type { Settings } from './settings.ts';
import { checkCertificate, type LoadedCertificate, loadCertificate } from './tls/certificate-pair.ts';
import { CertificateReloader } from './tls/certificate-reloader.ts';
import { createSelfSignedCertificate } from './tls/self-signed.ts';
import { buildSecureContextOptions } from './tls/tls-policy.ts';

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

async function loadInitialCertificate(settings: Settings, log: Logger): Promise<LoadedCertificate> {
  if (settings.certificate) return loadCertificate(settings.certificate, settings.policy);
  const material = await createSelfSignedCertificate(settings.selfSignedNames);
  if (settings.clientCa) material.ca = await readFile(settings.clientCa, 'utf8');
  log.warn(
    { names: settings.selfSignedNames },
    'no --tls-cert/--tls-key given: serving a self-signed certificate made at start, which clients will not trust',
  );
  return checkCertificate(material, settings.policy);
}

export async function startTlsProxy(
  settings: Settings,
  log: Logger,
  metrics: ProxyMetrics,
): Promise<TlsProxy> {
  const initial = await loadInitialCertificate(settings, log);
  metrics.certificateExpiry.set(initial.notAfter.getTime() / 1000);
  const limits = settings;
  const { server, identityOf } = createHttpsListener({
    secureContext: buildSecureContextOptions(settings.policy, initial.material),
    mutualTls: settings.clientCa !== undefined,
    allowList: settings.allowList,
    limits,
    metrics,
    log,
    shouldUpgrade: isWebSocketUpgrade,
  });
  const connections = new ConnectionTracker(server, metrics);
  const policy: RequestPolicy = settings;
  const forwarder = new Forwarder({
    upstream: settings.upstream,
    upstreamTimeoutMs: settings.upstreamTimeoutMs,
    connectTimeoutMs: settings.upstreamConnectTimeoutMs,
    metrics,
    log,
    prepareResponse: createResponsePreparer(policy, connections),
  });
  const recorder = new RequestRecorder(metrics, settings.accessLog ? log : undefined);
  const parts = { policy, forwarder, recorder, connections, identityOf };
  server.on('request', createRequestHandler(parts));
  server.on('upgrade', createUpgradeHandler(parts));
  // The socket of an HTTPS server's clientError is the TLSSocket (typed as a plain Duplex).
  server.on('clientError', (error, socket) => {
    const tlsSocket = socket as Socket;
    answerClientError(error, tlsSocket, recorder, normalizeAddress(tlsSocket.remoteAddress));
  });

  const reloader = settings.certificate
    ? new CertificateReloader(
        {
          paths: settings.certificate,
          policy: settings.policy,
          pollIntervalMs: settings.certCheckIntervalMs,
          log,
          apply: (loaded) => {
            server.setSecureContext({
              ...buildSecureContextOptions(settings.policy, loaded.material),
              ticketKeys: server.getTicketKeys(),
            });
            metrics.certificateExpiry.set(loaded.notAfter.getTime() / 1000);
            metrics.certificateReloads.inc({ result: 'success' });
          },
          onFailure: () => metrics.certificateReloads.inc({ result: 'failure' }),
        },
        initial,
      )
    : undefined;

  const address = await listen(server, settings.listen);
  // After listening, an accept failure (EMFILE under a connection flood) is emitted as 'error': with no
  // listener that would end the process. Log it and keep serving the connections already open.
  server.on('error', (error) => log.error({ err: error.message }, 'HTTPS listener error'));
  log.info(
    {
      address: `${address.address}:${address.port}`,
      upstream: settings.upstream.origin,
      subject: initial.subject,
      notAfter: initial.notAfter.toISOString(),
    },
    'HTTPS listener up',
  );
  reloader?.start();
  const redirect = settings.redirect
    ? createRedirectListener(settings.redirect.httpsPort, limits)
    : undefined;
  const redirectAddress =
    redirect && settings.redirect ? await listen(redirect, settings.redirect.listen) : undefined;
  if (redirectAddress) {
    log.info({ address: `${redirectAddress.address}:${redirectAddress.port}` }, 'HTTP redirect listener up');
    redirect?.on('error', (error) => log.error({ err: error.message }, 'HTTP redirect listener error'));
  }

  return {
    address,
    redirectAddress,
    checkCertificate: () => reloader?.check() ?? Promise.resolve(),
    drain: async (graceMs) => {
      await Promise.all([
        connections.drain(graceMs),
        redirect ? closeServer(redirect, Math.min(graceMs, 1000)) : undefined,
      ]);
    },
    close: () => {
      reloader?.stop();
      forwarder.close();
    },
  };
}
