/**
 * Why a TLS handshake failed, as one of a few stable words: the label of
 * `tls_proxy_tls_handshake_failures_total`. Codes come from OpenSSL through Node (`ERR_SSL_<REASON>`);
 * anything unlisted is `other`, so a scanner cannot blow up the label set.
 */
const reasonsByCode: Record<string, string> = {
  ERR_SSL_UNSUPPORTED_PROTOCOL: 'protocol_version',
  ERR_SSL_WRONG_VERSION_NUMBER: 'protocol_version',
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: 'protocol_version',
  ERR_SSL_NO_SHARED_CIPHER: 'no_shared_cipher',
  ERR_SSL_NO_SUITABLE_SIGNATURE_ALGORITHM: 'no_shared_cipher',
  ERR_SSL_NO_SHARED_GROUPS: 'no_shared_cipher',
  ERR_SSL_HTTP_REQUEST: 'plain_http',
  ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE: 'no_client_certificate',
  ERR_SSL_CERTIFICATE_VERIFY_FAILED: 'bad_client_certificate',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'certificate_refused_by_client',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN: 'certificate_refused_by_client',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'certificate_refused_by_client',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: 'certificate_refused_by_client',
  ERR_TLS_HANDSHAKE_TIMEOUT: 'timeout',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
};

/** Every label value, so the counter can start at zero for each. */
export const handshakeFailureReasons = [
  ...new Set([...Object.values(reasonsByCode), 'client_not_allowed', 'malformed', 'other']),
];

export function classifyHandshakeError(error: Error & { code?: string }): string {
  const code = error.code ?? '';
  const known = reasonsByCode[code];
  if (known) return known;
  if (code.startsWith('ERR_SSL_')) {
    if (/VERSION|PROTOCOL/.test(code)) return 'protocol_version';
    if (/RECORD|PACKET|LENGTH|DECODE|PARSE/.test(code)) return 'malformed';
  }
  return 'other';
}
