import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { buildSecureContextOptions, type CertificateMaterial, type TlsPolicy } from './tls-policy.ts';

export interface CertificatePaths {
  cert: string;
  key: string;
  ca?: string | undefined;
}

/** A pair checked to be usable: the key matches the leaf and OpenSSL accepts the whole context. */
export interface LoadedCertificate {
  material: CertificateMaterial;
  notAfter: Date;
  subject: string;
  fingerprint256: string;
  /** Hash of the file contents, to tell a real change from a touch. */
  contentHash: string;
}

/** A certificate that cannot be served; `reason` is a short, stable word for logs and metrics. */
export class CertificateError extends Error {
  override name = 'CertificateError';
  readonly reason: 'unreadable' | 'bad_certificate' | 'bad_key' | 'key_mismatch' | 'rejected' | 'bad_ca';
  constructor(reason: CertificateError['reason'], message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

/** Reads the files as they are now. Kubernetes swaps them together through `..data`, so read all three. */
export async function readCertificateFiles(paths: CertificatePaths): Promise<CertificateMaterial> {
  const read = (path: string) =>
    readFile(path, 'utf8').catch((error: Error) => {
      throw new CertificateError('unreadable', `cannot read ${path}: ${error.message}`, { cause: error });
    });
  const [cert, key, ca] = await Promise.all([
    read(paths.cert),
    read(paths.key),
    paths.ca ? read(paths.ca) : undefined,
  ]);
  return { cert, key, ca };
}

export function hashMaterial(material: CertificateMaterial): string {
  return createHash('sha256')
    .update(material.cert)
    .update('\0')
    .update(material.key)
    .update('\0')
    .update(material.ca ?? '')
    .digest('hex');
}

/** Throws CertificateError unless the pair (and CA bundle) can be served under `policy`. */
export function checkCertificate(material: CertificateMaterial, policy: TlsPolicy): LoadedCertificate {
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(material.cert);
  } catch (error) {
    throw new CertificateError(
      'bad_certificate',
      `certificate is not valid PEM: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(material.key);
  } catch (error) {
    throw new CertificateError('bad_key', `private key is not valid PEM: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!leaf.checkPrivateKey(key)) {
    throw new CertificateError(
      'key_mismatch',
      `private key does not match the certificate for ${leaf.subject}`,
    );
  }
  if (material.ca !== undefined) checkCaBundle(material.ca);
  try {
    createSecureContext(buildSecureContextOptions(policy, material));
  } catch (error) {
    throw new CertificateError('rejected', `TLS refused the certificate: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return {
    material,
    notAfter: new Date(leaf.validTo),
    subject: leaf.subject.replace(/\n/g, ', '),
    fingerprint256: leaf.fingerprint256,
    contentHash: hashMaterial(material),
  };
}

function checkCaBundle(ca: string): void {
  const blocks = ca.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new CertificateError('bad_ca', 'client CA bundle holds no PEM certificate');
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (error) {
      throw new CertificateError('bad_ca', `client CA bundle: ${(error as Error).message}`, { cause: error });
    }
  }
}

/** Reads and checks in one step: what a reload does. */
export async function loadCertificate(
  paths: CertificatePaths,
  policy: TlsPolicy,
): Promise<LoadedCertificate> {
  return checkCertificate(await readCertificateFiles(paths), policy);
}
