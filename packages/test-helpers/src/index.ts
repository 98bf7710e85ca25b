export { createCa, issueCertificate, type Pem, writePem } from './certificates.ts';
export {
  type HttpsTestServer,
  type HttpsTestServerOptions,
  type ReceivedRequest,
  startHttpsServer,
} from './https-server.ts';
export { type MutualTlsSetup, startMutualTlsServer } from './mutual-tls.ts';
