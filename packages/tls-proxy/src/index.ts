export { runTlsProxy } from './app.ts';
export { definition } from './definition.ts';
export { forwardingHeaders, setForwardedHeaders } from './http/forwarded-headers.ts';
export { stripRequestHopByHop, stripResponseHopByHop } from './http/hop-by-hop.ts';
export { isTrusted, normalizeAddress, parseTrustedProxies } from './http/trusted-proxies.ts';
export { ProxyMetrics, upstreamErrorReasons } from './metrics.ts';
export { options } from './options.ts';
export { Forwarder } from './proxy/forwarder.ts';
export { classifyUpstreamError, isSafeToRetry, UpstreamTimeoutError } from './proxy/upstream-errors.ts';
export { checkUpstream, watchUpstreamReadiness } from './readiness.ts';
export { redirectLocation } from './server/redirect-listener.ts';
export { autoWorkers, deriveSettings, type Settings, type TlsProxyConfig } from './settings.ts';
export { startThreadedTlsProxy } from './threaded.ts';
export {
  CertificateError,
  checkCertificate,
  hashMaterial,
  type LoadedCertificate,
  loadCertificate,
} from './tls/certificate-pair.ts';
export { CertificateReloader } from './tls/certificate-reloader.ts';
export {
  compileAllowList,
  compileWildcard,
  formatClientCertHeader,
  isClientAllowed,
  parseSubjectAltNames,
  readClientIdentity,
} from './tls/client-identity.ts';
export { classifyHandshakeError, handshakeFailureReasons } from './tls/handshake-failures.ts';
export { createSelfSignedCertificate } from './tls/self-signed.ts';
export { buildSecureContextOptions, defaultCiphers, type TlsPolicy, tlsVersions } from './tls/tls-policy.ts';
export { startHttpsService, startTlsProxy, type TlsProxy } from './tls-proxy.ts';
