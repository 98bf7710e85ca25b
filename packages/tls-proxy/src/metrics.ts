import { metricsOn } from '@toolkit/lifecycle';
import type { Counter, Gauge, Histogram, Metric, Registry } from 'prom-client';
import { handshakeFailureReasons } from './tls/handshake-failures.ts';

const knownMethods = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'OPTIONS',
  'CONNECT',
  'TRACE',
]);
export const upstreamErrorReasons = [
  'refused',
  'reset',
  'timeout',
  'connect_timeout',
  'unresolved',
  'other',
] as const;
export type UpstreamErrorReason = (typeof upstreamErrorReasons)[number];

/** How a --mode tcp connection ended: the `outcome` label and the access log's `end`. */
export const connectionOutcomes = [
  'client_closed',
  'upstream_closed',
  'client_reset',
  'upstream_reset',
  'upstream_refused',
  'upstream_connect_timeout',
  'idle_timeout',
  'drain_cut',
] as const;
export type ConnectionOutcome = (typeof connectionOutcomes)[number];

/**
 * The proxy's metrics, registered on the registry it is given (never the global one). Label values are
 * closed sets, so a client cannot grow the series count: methods outside the standard ones are `OTHER`.
 */
export class ProxyMetrics {
  readonly requests: Counter<'method' | 'status'>;
  readonly duration: Histogram;
  readonly upstreamErrors: Counter<'reason'>;
  readonly handshakeFailures: Counter<'reason'>;
  readonly openConnections: Gauge;
  readonly refusedConnections: Counter;
  readonly connections: Counter<'outcome' | 'alpn'>;
  readonly connectionBytes: Counter<'direction'>;
  readonly connectionDuration: Histogram;
  readonly certificateExpiry: Gauge;
  readonly certificateReloads: Counter<'result'>;
  // labels() hashes its arguments on every call: keep the children, by method then status (hot path).
  readonly #requestChildren = new Map<string, Map<number, { inc(): void }>>();

  /**
   * `groups` picks what is registered (all of it is always there to count on): with worker threads each
   * worker registers the traffic metrics on its own registry and the main thread the certificate ones.
   */
  constructor(
    registry: Registry | undefined,
    groups: readonly ('traffic' | 'certificate')[] = ['traffic', 'certificate'],
  ) {
    const traffic = metricsOn(registry && groups.includes('traffic') ? [registry] : []);
    const certificate = metricsOn(registry && groups.includes('certificate') ? [registry] : []);
    this.requests = traffic.counter(
      'tls_proxy_requests_total',
      'Requests answered, by method and status (502/504: the upstream failed; 4xx from the proxy: refused).',
      ['method', 'status'],
    );
    this.duration = traffic.histogram(
      'tls_proxy_request_duration_seconds',
      'Time from the request head to the end of the response.',
      [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    );
    this.upstreamErrors = traffic.counter(
      'tls_proxy_upstream_errors_total',
      'Requests the upstream failed: refused, reset, timeout (no answer in --upstream-timeout), connect_timeout.',
      ['reason'],
    );
    this.handshakeFailures = traffic.counter(
      'tls_proxy_tls_handshake_failures_total',
      'TLS handshakes that failed, by reason (protocol_version, no_shared_cipher, no_client_certificate, client_not_allowed, plain_http, timeout, reset...).',
      ['reason'],
    );
    this.openConnections = traffic.gauge(
      'tls_proxy_open_connections',
      'Client connections open now (TCP, handshaking and upgraded WebSockets included).',
    );
    this.refusedConnections = traffic.counter(
      'tls_proxy_connections_refused_total',
      'Client connections closed at accept because --max-connections were open.',
    );
    this.connections = traffic.counter(
      'tls_proxy_connections_total',
      '--mode tcp: connections passed on and ended, by outcome (client_closed, upstream_closed, client_reset, upstream_reset, upstream_refused, upstream_connect_timeout, idle_timeout, drain_cut) and ALPN protocol (none when none was chosen).',
      ['outcome', 'alpn'],
    );
    this.connectionBytes = traffic.counter(
      'tls_proxy_connection_bytes_total',
      '--mode tcp: bytes passed on, by direction (received: client to app, sent: app to client), counted when a connection ends.',
      ['direction'],
    );
    this.connectionDuration = traffic.histogram(
      'tls_proxy_connection_duration_seconds',
      '--mode tcp: time from the end of the TLS handshake to the close of both sides.',
      [0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600],
    );
    this.certificateExpiry = certificate.gauge(
      'tls_proxy_certificate_expiry_timestamp_seconds',
      'When the certificate in service expires (Unix time); alert on it minus time().',
    );
    this.certificateReloads = certificate.counter(
      'tls_proxy_certificate_reloads_total',
      'Certificate changes seen on disk: success (now in service) or failure (rejected; the old one stays).',
      ['result'],
    );
    for (const reason of upstreamErrorReasons) this.upstreamErrors.inc({ reason }, 0);
    this.refusedConnections.inc(0);
    for (const direction of ['received', 'sent']) this.connectionBytes.inc({ direction }, 0);
    for (const reason of handshakeFailureReasons) this.handshakeFailures.inc({ reason }, 0);
    for (const result of ['success', 'failure']) this.certificateReloads.inc({ result }, 0);
  }

  /** What each worker thread counts (the main thread sums them). */
  trafficMetrics(): Metric[] {
    return [
      this.requests,
      this.duration,
      this.upstreamErrors,
      this.handshakeFailures,
      this.openConnections,
      this.refusedConnections,
      this.connections,
      this.connectionBytes,
      this.connectionDuration,
    ];
  }

  countRequest(method: string | undefined, status: number, seconds: number): void {
    const label = method && knownMethods.has(method) ? method : 'OTHER';
    let byStatus = this.#requestChildren.get(label);
    if (!byStatus) {
      byStatus = new Map();
      this.#requestChildren.set(label, byStatus);
    }
    let child = byStatus.get(status);
    if (!child) {
      child = this.requests.labels(label, String(status));
      byStatus.set(status, child);
    }
    child.inc();
    this.duration.observe(seconds);
  }
}
