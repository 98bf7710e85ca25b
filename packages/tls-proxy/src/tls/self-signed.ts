import { isIP } from 'node:net';
import type { CertificateMaterial } from './tls-policy.ts';

/**
 * A throwaway certificate for when none is given: an EC P-256 key (cheaper handshakes than RSA) valid
 * for a year, with each name as a DNS or IP SAN. Nobody trusts it; it only lets the listener start.
 */
export async function createSelfSignedCertificate(names: readonly string[]): Promise<CertificateMaterial> {
  // Loaded only when needed: its X.509 and ASN.1 libraries are most of the bundle's weight.
  const { generate } = await import('selfsigned');
  const commonName = names.find((name) => isIP(name) === 0) ?? names[0] ?? 'localhost';
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + 365 * 24 * 3_600_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: names.map((name) => (isIP(name) ? { type: 7, ip: name } : { type: 2, value: name })),
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
