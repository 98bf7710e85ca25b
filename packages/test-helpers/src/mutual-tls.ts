import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa, issueCertificate, writePem } from './certificates.ts';
import { type HttpsTestServer, type HttpsTestServerOptions, startHttpsServer } from './https-server.ts';

export interface MutualTlsSetup {
  server: HttpsTestServer;
  /** The flags that let a program reach the server: its CA and a client certificate it trusts. */
  clientArgs: string[];
  files: { caFile: string; clientCertFile: string; clientKeyFile: string };
  close(): Promise<void>;
}

/**
 * An HTTPS server behind a private CA that refuses clients without a certificate from its own client
 * CA (an internal webhook, Loki or Elasticsearch with mTLS), and the files a program needs to reach it.
 */
export async function startMutualTlsServer(
  respond?: HttpsTestServerOptions['respond'],
): Promise<MutualTlsSetup> {
  const dir = mkdtempSync(join(tmpdir(), 'mutual-tls-'));
  const [serverCa, clientCa] = await Promise.all([createCa('Server CA'), createCa('Client CA')]);
  const caFile = writePem(dir, 'server-ca', serverCa).cert;
  const client = writePem(dir, 'client', await issueCertificate(clientCa, 'client', 'the-sidecar'));
  const server = await startHttpsServer({
    certificate: await issueCertificate(serverCa, 'server'),
    clientCa: clientCa.cert,
    ...(respond ? { respond } : {}),
  });
  return {
    server,
    clientArgs: ['--ca-file', caFile, '--client-cert-file', client.cert, '--client-key-file', client.key],
    files: { caFile, clientCertFile: client.cert, clientKeyFile: client.key },
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
