import { type OptionTable, outgoingTlsOptions } from '@toolkit/lifecycle';
import { defaultCiphers, tlsVersions } from './tls/tls-policy.ts';

/** The option table: drives parsing, `--help`, the env names (TLS_PROXY_*) and the docs. */
export const options = {
  listen: {
    type: 'address',
    default: '0.0.0.0:8443',
    help: 'Address of the HTTPS listener.',
  },
  mode: {
    type: 'enum',
    choices: ['http', 'tcp'],
    default: 'http',
    help: 'http: requests parsed and proxied to an HTTP/1.1 app (forwarded headers, HSTS, redirects, per-request log, 502/504, body limits). tcp: TLS terminated and the bytes passed on both ways, nothing parsed (any protocol: gRPC/h2c, HTTP/2, databases; half-close kept), cheaper per request.',
  },
  workers: {
    type: 'integer',
    // 1 by default: a sidecar keeps to its share; a second thread only pays where a core is idle.
    default: 1,
    min: 0,
    max: 64,
    placeholder: 'N',
    help: 'Threads serving HTTPS, each with its own event loop, all listening on --listen (SO_REUSEPORT: the kernel spreads new connections). 1: everything on the main thread. 0: one per CPU the container may use (os.availableParallelism(), which counts a cgroup CPU limit), at most 8 and at most one per 96 MiB of the memory limit.',
  },
  upstream: {
    type: 'string',
    default: 'http://127.0.0.1:8080',
    placeholder: 'URL',
    help: 'The app behind. --mode http: an http:// URL, or https:// for an app that serves TLS itself (verified with the system roots and --ca-file, --client-cert-file for mTLS to it), requests proxied with HTTP/1.1 keep-alive; a path is prepended to every request path. --mode tcp: tcp://HOST:PORT, or a Unix socket path (/path or unix:/path); an http:// URL without a path also names HOST:PORT.',
  },
  alpn: {
    type: 'list',
    placeholder: 'PROTOCOLS',
    help: 'With --mode tcp: the ALPN protocols the app behind speaks, most preferred first, e.g. h2 for a gRPC or other h2c app, http/1.1 for a plain HTTP one. None by default, so a client never picks one the app does not speak. (--mode http offers h2 and http/1.1, see --http2.)',
  },
  proxyProtocol: {
    type: 'enum',
    choices: ['off', 'v1', 'v2'],
    default: 'off',
    help: 'With --mode tcp: starts each upstream connection with a PROXY protocol header (v1 text or v2 binary) carrying the client address, for apps and proxies that read it (nginx listen ... proxy_protocol, HAProxy accept-proxy).',
  },
  maxConnections: {
    type: 'integer',
    default: 0,
    min: 0,
    placeholder: 'N',
    help: 'Most client connections open at once (per worker thread); past it new ones are closed at once and counted in tls_proxy_connections_refused_total. 0: no limit.',
  },
  tlsCert: {
    type: 'string',
    placeholder: 'FILE',
    help: 'PEM certificate chain, leaf first (tls.crt of a cert-manager Secret); reloaded when it changes. Without it a self-signed certificate is made at start.',
  },
  tlsKey: {
    type: 'string',
    placeholder: 'FILE',
    help: 'PEM private key of --tls-cert (tls.key); a new pair is used only once the key matches the certificate.',
  },
  certCheckInterval: {
    type: 'duration',
    default: '10s',
    help: 'How often the certificate, key and client CA files are re-read and compared, on top of watching their directories (catches a missed ..data swap); 0s turns polling off.',
  },
  selfSignedNames: {
    type: 'list',
    default: ['localhost', '127.0.0.1', '::1'],
    placeholder: 'NAMES',
    help: 'DNS names and IP addresses of the self-signed certificate made when no --tls-cert is given.',
  },
  tlsMinVersion: {
    type: 'enum',
    choices: tlsVersions,
    default: 'TLSv1.2',
    help: 'Oldest TLS version accepted; older handshakes are refused and counted.',
  },
  tlsCiphers: {
    type: 'string',
    default: defaultCiphers,
    placeholder: 'OPENSSL-CIPHERS',
    help: 'Cipher list in OpenSSL syntax; TLS_* names select TLS 1.3 suites (the TLS 1.3 defaults stay when none is listed).',
  },
  clientCa: {
    type: 'string',
    placeholder: 'FILE',
    help: 'PEM CA bundle: when set, clients must present a certificate it verifies (mTLS). Reloaded with the certificate.',
  },
  allowCn: {
    type: 'list',
    placeholder: 'NAMES',
    help: 'With --client-ca: subject common names allowed (any of the allow-lists may match; none set allows every verified client).',
  },
  allowDns: {
    type: 'list',
    placeholder: 'PATTERNS',
    help: 'With --client-ca: DNS SANs allowed; * matches one label, e.g. *.internal.example.',
  },
  allowUri: {
    type: 'list',
    placeholder: 'PATTERNS',
    help: 'With --client-ca: URI SANs allowed, e.g. SPIFFE IDs; * matches one path segment, e.g. spiffe://cluster.local/ns/shop/sa/*.',
  },
  clientIdentityHeader: {
    type: 'string',
    default: 'x-forwarded-client-cert',
    placeholder: 'HEADER',
    help: 'Header carrying the verified client certificate to the app (Envoy XFCC form: Hash, Subject, URI, DNS). A client-sent value is always removed.',
  },
  trustedProxies: {
    type: 'list',
    placeholder: 'CIDRS',
    help: 'Clients (IPs or CIDRs) whose X-Forwarded-*, Forwarded and X-Real-IP headers are kept and appended to; from anyone else they are replaced.',
  },
  hstsMaxAge: {
    type: 'duration',
    default: '0s',
    help: 'Adds Strict-Transport-Security with this max-age to responses that lack one; 0s sends none.',
  },
  hstsIncludeSubdomains: {
    type: 'boolean',
    help: 'Adds includeSubDomains to the HSTS header.',
  },
  redirectListen: {
    type: 'address',
    help: 'Address of an optional plain-HTTP listener that redirects every request to HTTPS (301 for GET/HEAD, 308 otherwise).',
  },
  redirectPort: {
    type: 'integer',
    default: 443,
    min: 1,
    max: 65535,
    help: 'HTTPS port clients reach the proxy on, used in redirect locations (left out when 443).',
  },
  headerTimeout: {
    type: 'duration',
    default: '10s',
    help: 'Time a client has to finish the TLS handshake and then each request head; past it the handshake is dropped or 408 is sent.',
  },
  idleTimeout: {
    type: 'duration',
    default: '60s',
    help: 'How long an idle keep-alive client connection stays open; with --mode tcp, how long a connection may pass no byte either way before both sides are closed.',
  },
  upstreamTimeout: {
    type: 'duration',
    default: '60s',
    help: 'Longest silence from the app while a request waits on it: 504 before the response starts, the response is cut after.',
  },
  upstreamConnectTimeout: {
    type: 'duration',
    default: '5s',
    help: 'Time limit to open a connection to the app (504 past it; a refused connection is a 502 at once).',
  },
  maxHeaderSize: {
    type: 'integer',
    default: 16384,
    min: 1024,
    placeholder: 'BYTES',
    help: 'Largest request head (request line and headers); a larger one gets 431.',
  },
  maxBodySize: {
    type: 'integer',
    default: 1048576,
    min: 0,
    placeholder: 'BYTES',
    help: 'Largest request body; a larger one gets 413 (declared lengths before anything is sent upstream). 0 means no limit.',
  },
  drainTimeout: {
    type: 'duration',
    default: '20s',
    help: 'After SIGTERM (and --shutdown-delay), how long in-flight requests and WebSockets (--mode tcp: open connections) get to finish before their connections are cut. In --mode http, for its first 0.5s the listener still accepts and every response says Connection: close, so busy keep-alive clients close first.',
  },
  readyPath: {
    type: 'string',
    placeholder: 'PATH',
    help: 'Ready only while GET PATH on the upstream answers 2xx or 3xx; unset means ready as soon as the listener is up.',
  },
  readyInterval: {
    type: 'duration',
    default: '5s',
    help: 'How often --ready-path is checked (each check times out after the same time, at most 5s).',
  },
  http2: {
    type: 'boolean',
    default: true,
    help: 'With --mode http: offer h2 to clients by ALPN (then http/1.1), each h2 request proxied to the app as HTTP/1.1. --no-http2 offers http/1.1 only. gRPC needs h2 end to end with trailers: use --mode tcp for it.',
  },
  accessLog: {
    type: 'boolean',
    default: true,
    help: 'Log one JSON line per request (method, path, status, ms, client, http: the client’s HTTP version, 1.1 or 2.0); with --mode tcp, one per connection (client, SNI, ALPN, client identity, bytes each way, ms, how it ended).',
  },
  // Trust and identity for an https:// --upstream and its readiness check (lifecycle's, as every program's).
  ...outgoingTlsOptions,
} as const satisfies OptionTable;
