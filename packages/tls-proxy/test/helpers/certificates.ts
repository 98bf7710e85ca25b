import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AltName,
  createCa,
  issueCertificate as issueTestCertificate,
  type Pem,
} from '@toolkit/test-helpers';
import { afterAll } from 'vitest';

export { createCa, type Pem } from '@toolkit/test-helpers';

/** test-helpers' certificate with the subject and alternative names first, as these tests name them. */
export function issueCertificate(
  ca: Pem,
  commonName: string,
  altNames: AltName[],
  usage: 'server' | 'client',
  validDays = 30,
): Promise<Pem> {
  return issueTestCertificate(ca, usage, commonName, { altNames, validDays });
}

/** For localhost and 127.0.0.1. */
export function issueServerCertificate(ca: Pem, validDays = 30): Promise<Pem> {
  return issueTestCertificate(ca, 'server', 'localhost', { validDays });
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
