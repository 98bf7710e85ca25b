import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { TlsProxyConfig } from '../settings.ts';
import type { CertificateMaterial } from '../tls/tls-policy.ts';

/** What a worker thread starts from (its `workerData`): everything is derived again from the options. */
export interface WorkerStart {
  tlsProxyWorker: true;
  index: number;
  config: TlsProxyConfig;
  logLevel: string;
  material: CertificateMaterial;
  /** 0 lets the first worker pick the port; the others then take the one it got. */
  port: number;
  ticketKeys: Uint8Array;
}

export type MetricsSnapshot = MetricObjectWithValues<MetricValue<string>>[];

/** Main thread → worker. */
export type ToWorker =
  | { type: 'certificate'; material: CertificateMaterial }
  | { type: 'metrics'; id: number }
  | { type: 'drain'; graceMs: number };

/** Worker → main thread. */
export type FromWorker =
  | { type: 'listening'; port: number }
  | { type: 'metrics'; id: number; metrics: MetricsSnapshot };
