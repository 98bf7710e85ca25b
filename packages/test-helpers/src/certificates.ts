import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface Pem {
  cert: string;
  key: string;
}

type AltName = { type: 2; value: string } | { type: 7; ip: string };

const ec = { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' } as const;

/** A private CA (EC P-256: fast to make), as a test of outgoing HTTPS needs one. */
export async function createCa(name = 'Test CA'): Promise<Pem> {
  const pems = await generate([{ name: 'commonName', value: name }], {
    ...ec,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** A certificate signed by `ca`: for a server (localhost and 127.0.0.1) or a client (`commonName`). */
export async function issueCertificate(
  ca: Pem,
  usage: 'server' | 'client',
  commonName = 'localhost',
): Promise<Pem> {
  const now = Date.now();
  const altNames: AltName[] =
    usage === 'server'
      ? [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ]
      : [];
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    ...ec,
    ca,
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + 30 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: usage === 'server', clientAuth: usage === 'client' },
      ...(altNames.length > 0 ? [{ name: 'subjectAltName' as const, altNames }] : []),
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** Writes `<name>.crt` and `<name>.key` into `dir`; returns their paths. */
export function writePem(dir: string, name: string, pem: Pem): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  writeFileSync(cert, pem.cert);
  writeFileSync(key, pem.key);
  return { cert, key };
}
