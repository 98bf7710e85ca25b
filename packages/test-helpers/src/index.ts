export { adminUrl } from './admin-url.ts';
export {
  type AltName,
  type CertificateOptions,
  createCa,
  issueCertificate,
  type Pem,
  writePem,
} from './certificates.ts';
export { Child } from './child.ts';
export { freePort } from './free-port.ts';
export {
  type HttpsTestServer,
  type HttpsTestServerOptions,
  type ReceivedRequest,
  startHttpsServer,
} from './https-server.ts';
export { type MutualTlsSetup, startMutualTlsServer } from './mutual-tls.ts';
export { spawnBundleAs } from './spawn-as-user.ts';
export { stopProcess } from './stop-process.ts';
export { waitForValue, waitUntil, waitWhileProgressing } from './wait-until.ts';
