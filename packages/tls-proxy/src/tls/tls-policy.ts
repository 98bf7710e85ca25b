import { constants } from 'node:crypto';
import type { SecureContextOptions } from 'node:tls';

export const tlsVersions = ['TLSv1.2', 'TLSv1.3'] as const;
export type TlsVersion = (typeof tlsVersions)[number];

/**
 * Mozilla's "intermediate" list: AEAD suites with forward secrecy only for TLS 1.2 (Node's default still
 * allows CBC suites), and the three TLS 1.3 suites.
 */
export const defaultCiphers = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

export interface TlsPolicy {
  minVersion: TlsVersion;
  ciphers: string;
}

/** PEM text of what the listener serves; `ca` is the client CA bundle when mTLS is on. */
export interface CertificateMaterial {
  cert: string;
  key: string;
  ca?: string | undefined;
}

/**
 * Every option of the secure context, always all together: `Server#setSecureContext()` rebuilds the
 * context from what it is given, so a reload that passed only cert and key would silently fall back to
 * Node's default minimum version and ciphers.
 */
export function buildSecureContextOptions(
  policy: TlsPolicy,
  material: CertificateMaterial,
): SecureContextOptions {
  return {
    cert: material.cert,
    key: material.key,
    ...(material.ca ? { ca: material.ca } : {}),
    minVersion: policy.minVersion,
    maxVersion: 'TLSv1.3',
    ciphers: policy.ciphers,
    honorCipherOrder: true,
    // Client-initiated TLS 1.2 renegotiation refused, as nginx does: each one costs the server a full
    // handshake (a cheap CPU exhaustion), and nothing legitimate needs it here.
    secureOptions: constants.SSL_OP_NO_RENEGOTIATION,
  };
}
