import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { afterAll } from 'vitest';

export interface Pem {
  cert: string;
  key: string;
}

type AltName = { type: 2; value: string } | { type: 6; value: string } | { type: 7; ip: string };

const ec = { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' } as const;

/** A test CA, real certificates signed by it, all EC P-256 (fast to make). */
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

export async function issueCertificate(
  ca: Pem,
  commonName: string,
  altNames: AltName[],
  usage: 'server' | 'client',
  validDays = 30,
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
      ...(altNames.length > 0 ? [{ name: 'subjectAltName' as const, altNames }] : []),
    ],
  });
  // selfsigned appends the CA to the chain; a leaf-first chain is what cert-manager writes too.
  return { cert: pems.cert, key: pems.private };
}

export function issueServerCertificate(ca: Pem, validDays = 30): Promise<Pem> {
  return issueCertificate(
    ca,
    'localhost',
    [
      { type: 2, value: 'localhost' },
      { type: 7, ip: '127.0.0.1' },
    ],
    'server',
    validDays,
  );
}

// Every test file imports this module afresh (vitest isolates files), so this hook belongs to the
// importing file and removes the temp dirs it made once its tests are done.
const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temp dir, removed after the test file that made it. */
export function makeTempDir(prefix = 'tls-proxy-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Writes tls.crt/tls.key into `dir` and returns their paths. */
export function writePair(dir: string, pem: Pem): { cert: string; key: string } {
  const cert = join(dir, 'tls.crt');
  const key = join(dir, 'tls.key');
  writeFileSync(cert, pem.cert);
  writeFileSync(key, pem.key);
  return { cert, key };
}

/** A fresh CA and a server certificate it signed for localhost, written as tls.crt/tls.key in a temp dir. */
export async function makeServerFiles(): Promise<{ ca: Pem; files: { cert: string; key: string } }> {
  const ca = await createCa();
  return { ca, files: writePair(makeTempDir(), await issueServerCertificate(ca)) };
}
