import type { BlockList } from 'node:net';
import { availableParallelism, totalmem } from 'node:os';
import { createSecureContext } from 'node:tls';
import {
  badOption,
  type Config,
  type ListenAddress,
  type OutgoingTlsSettings,
  parseListenAddress,
} from '@toolkit/lifecycle';
import { parseTrustedProxies } from './http/trusted-proxies.ts';
import type { options } from './options.ts';
import type { CertificatePaths } from './tls/certificate-pair.ts';
import { type AllowList, compileAllowList } from './tls/client-identity.ts';
import type { TlsPolicy, TlsVersion } from './tls/tls-policy.ts';

/** Where --mode tcp connects: a TCP address or a Unix socket. */
export type TcpTarget = { host: string; port: number } | { path: string };

/** Everything the proxy needs, parsed and checked once at start; modules take these plain values. */
export interface Settings {
  mode: 'http' | 'tcp';
  listen: ListenAddress;
  /** Threads serving HTTPS: 1 serves on the main thread, more start worker threads. */
  workers: number;
  /** --mode http: the app's URL (http: or https:). --mode tcp: the option as a URL (tcp://, unix:), for logs only. */
  upstream: URL;
  /** Where --mode tcp connects each client connection. */
  tcpTarget: TcpTarget | undefined;
  /** What the app behind speaks, offered to clients by ALPN (--mode tcp). */
  alpn: string[];
  proxyProtocol: 'v1' | 'v2' | undefined;
  /** 0: no limit. */
  maxConnections: number;
  /** Undefined: serve a self-signed certificate for `selfSignedNames`. */
  certificate: CertificatePaths | undefined;
  clientCa: string | undefined;
  certCheckIntervalMs: number;
  selfSignedNames: string[];
  policy: TlsPolicy;
  allowList: AllowList | undefined;
  identityHeader: string;
  trustedProxies: BlockList | undefined;
  hsts: string | undefined;
  redirect: { listen: ListenAddress; httpsPort: number } | undefined;
  headerTimeoutMs: number;
  idleTimeoutMs: number;
  upstreamTimeoutMs: number;
  upstreamConnectTimeoutMs: number;
  maxHeaderSize: number;
  maxBodySize: number;
  drainTimeoutMs: number;
  ready: { path: string; intervalMs: number } | undefined;
  accessLog: boolean;
  /** --mode http: ALPN offers h2 before http/1.1. */
  http2: boolean;
  /** Trust and identity towards an https:// upstream. */
  outgoingTls: OutgoingTlsSettings;
}

/** `--workers 0` takes one per usable CPU, up to this many: past it the upstream is usually the limit. */
export const maxAutoWorkers = 8;
/** Memory budgeted per worker thread by `--workers 0` (one measured 25-50 MB of RSS, idle to busy). */
export const memoryPerWorker = 96 * 1024 * 1024;

/**
 * One worker per CPU the process may use (`availableParallelism()` counts the affinity mask and, in
 * Node 24's libuv, a cgroup CPU quota rounded down), at most `maxAutoWorkers`, and no more than the
 * memory limit (cgroup, else the machine's) gives `memoryPerWorker` each: 160 MiB makes it 1.
 */
export function autoWorkers(): number {
  const memory = Math.min(process.constrainedMemory() || Number.POSITIVE_INFINITY, totalmem());
  const byMemory = Math.floor(memory / memoryPerWorker);
  return Math.max(1, Math.min(availableParallelism(), maxAutoWorkers, byMemory));
}

export type TlsProxyConfig = Config<typeof options>;

/** Throws UsageError naming the option, what it expected and what it got. */
export function deriveSettings(config: TlsProxyConfig): Settings {
  const mode = config.mode as Settings['mode'];
  const { upstream, tcpTarget } =
    mode === 'tcp' ? parseTcpUpstream(config.upstream) : { upstream: parseHttpUpstream(config.upstream) };
  if (mode === 'http') {
    for (const key of ['alpn', 'proxyProtocol'] as const) {
      const value = config[key];
      if (value.length > 0 && value !== 'off') throw badOption(key, 'applies to --mode tcp only');
    }
  }
  if (upstream.protocol !== 'https:') {
    for (const key of ['caFile', 'clientCertFile', 'clientKeyFile', 'insecureSkipVerify'] as const) {
      if (config[key])
        throw badOption(key, 'applies to an https:// --upstream only (the app is reached in plain text)');
    }
  }
  if (mode === 'tcp' && config.readyPath !== undefined) {
    throw badOption(
      'readyPath',
      'checks an HTTP app: use it with --mode http (in --mode tcp, /readyz is up with the listener)',
    );
  }
  for (const protocol of config.alpn) {
    if (!/^[\x21-\x7e]{1,255}$/.test(protocol))
      throw badOption('alpn', `not an ALPN protocol name: ${JSON.stringify(protocol)} (e.g. h2, http/1.1)`);
  }
  if ((config.tlsCert === undefined) !== (config.tlsKey === undefined)) {
    throw badOption(
      config.tlsCert === undefined ? 'tlsCert' : 'tlsKey',
      'set --tls-cert and --tls-key together',
    );
  }
  const hasAllowList = config.allowCn.length + config.allowDns.length + config.allowUri.length > 0;
  if (hasAllowList && !config.clientCa)
    throw badOption('clientCa', 'the --allow-* lists need a client CA to verify against');
  try {
    createSecureContext({ ciphers: config.tlsCiphers });
  } catch (error) {
    throw badOption(
      'tlsCiphers',
      `OpenSSL accepts none of ${JSON.stringify(config.tlsCiphers)}: ${(error as Error).message}`,
    );
  }
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(config.clientIdentityHeader)) {
    throw badOption(
      'clientIdentityHeader',
      `not a header name: ${JSON.stringify(config.clientIdentityHeader)}`,
    );
  }
  let trustedProxies: BlockList | undefined;
  try {
    trustedProxies = parseTrustedProxies(config.trustedProxies);
  } catch (error) {
    throw badOption('trustedProxies', (error as Error).message);
  }
  if (config.readyPath !== undefined && !config.readyPath.startsWith('/')) {
    throw badOption('readyPath', `expected a path starting with /, got ${JSON.stringify(config.readyPath)}`);
  }
  for (const key of [
    'headerTimeout',
    'idleTimeout',
    'upstreamTimeout',
    'upstreamConnectTimeout',
    'readyInterval',
  ] as const) {
    if (config[key] <= 0) throw badOption(key, 'must be more than 0s');
  }
  const hstsSeconds = Math.floor(config.hstsMaxAge / 1000);
  return {
    mode,
    listen: parseListenAddress(config.listen)!,
    workers: config.workers === 0 ? autoWorkers() : config.workers,
    upstream,
    tcpTarget,
    alpn: config.alpn,
    proxyProtocol: config.proxyProtocol === 'off' ? undefined : (config.proxyProtocol as 'v1' | 'v2'),
    maxConnections: config.maxConnections,
    certificate:
      config.tlsCert && config.tlsKey
        ? { cert: config.tlsCert, key: config.tlsKey, ca: config.clientCa }
        : undefined,
    clientCa: config.clientCa,
    certCheckIntervalMs: config.certCheckInterval,
    selfSignedNames: config.selfSignedNames,
    policy: { minVersion: config.tlsMinVersion as TlsVersion, ciphers: config.tlsCiphers },
    allowList: compileAllowList(config),
    identityHeader: config.clientIdentityHeader.toLowerCase(),
    trustedProxies,
    hsts:
      hstsSeconds > 0
        ? `max-age=${hstsSeconds}${config.hstsIncludeSubdomains ? '; includeSubDomains' : ''}`
        : undefined,
    redirect: config.redirectListen
      ? { listen: parseListenAddress(config.redirectListen)!, httpsPort: config.redirectPort }
      : undefined,
    headerTimeoutMs: config.headerTimeout,
    idleTimeoutMs: config.idleTimeout,
    upstreamTimeoutMs: config.upstreamTimeout,
    upstreamConnectTimeoutMs: config.upstreamConnectTimeout,
    maxHeaderSize: config.maxHeaderSize,
    maxBodySize: config.maxBodySize,
    drainTimeoutMs: config.drainTimeout,
    ready: config.readyPath ? { path: config.readyPath, intervalMs: config.readyInterval } : undefined,
    accessLog: config.accessLog,
    http2: config.http2,
    outgoingTls: {
      caFile: config.caFile,
      clientCertFile: config.clientCertFile,
      clientKeyFile: config.clientKeyFile,
      insecureSkipVerify: config.insecureSkipVerify,
    },
  };
}

function parseHttpUpstream(text: string): URL {
  let upstream: URL;
  try {
    upstream = new URL(text);
  } catch {
    throw badOption('upstream', `expected an http:// or https:// URL, got ${JSON.stringify(text)}`);
  }
  if (upstream.protocol !== 'http:' && upstream.protocol !== 'https:')
    throw badOption('upstream', `expected an http:// or https:// URL, got ${upstream.protocol}//`);
  return upstream;
}

/** `tcp://HOST:PORT`, `http://HOST:PORT` (no path: the default option works), `/socket` or `unix:/socket`. */
function parseTcpUpstream(text: string): { upstream: URL; tcpTarget: TcpTarget } {
  const expected = `with --mode tcp, expected tcp://HOST:PORT or a Unix socket path, got ${JSON.stringify(text)}`;
  const socketPath = text.startsWith('unix:') ? text.slice('unix:'.length) : text;
  if (socketPath.startsWith('/')) {
    return { upstream: new URL(`unix:${socketPath}`), tcpTarget: { path: socketPath } };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badOption('upstream', expected);
  }
  const port = Number(url.port || (url.protocol === 'http:' ? 80 : Number.NaN));
  const plainAddress = url.pathname === '/' || url.pathname === '';
  if (
    !['tcp:', 'http:'].includes(url.protocol) ||
    !url.hostname ||
    !(port > 0) ||
    !plainAddress ||
    url.search
  ) {
    throw badOption('upstream', expected);
  }
  // URL keeps the brackets of an IPv6 literal; net.connect wants it bare.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { upstream: url, tcpTarget: { host, port } };
}
