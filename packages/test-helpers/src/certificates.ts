import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface Pem {
  cert: string;
  key: string;
}

/** A subjectAltName: 2 a DNS name, 6 a URI (a SPIFFE ID), 7 an IP address. */
export type AltName = { type: 2; value: string } | { type: 6; value: string } | { type: 7; ip: string };

export interface CertificateOptions {
  /** Instead of the default: localhost and 127.0.0.1 for a server, none for a client. */
  altNames?: readonly AltName[];
  /** Valid from a minute ago for this many days (default 30). */
  validDays?: number;
}

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
  { altNames = usage === 'server' ? serverAltNames : [], validDays = 30 }: CertificateOptions = {},
): Promise<Pem> {
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    ...ec,
    ca,
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + validDays * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: usage === 'server', clientAuth: usage === 'client' },
      ...(altNames.length > 0 ? [{ name: 'subjectAltName' as const, altNames: [...altNames] }] : []),
    ],
  });
  // selfsigned appends the CA to the chain; a leaf-first chain is what cert-manager writes too.
  return { cert: pems.cert, key: pems.private };
}

const serverAltNames: readonly AltName[] = [
  { type: 2, value: 'localhost' },
  { type: 7, ip: '127.0.0.1' },
];

/** Writes `<name>.crt` and `<name>.key` into `dir`; returns their paths. */
export function writePem(dir: string, name: string, pem: Pem): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  writeFileSync(cert, pem.cert);
  writeFileSync(key, pem.key);
  return { cert, key };
}
