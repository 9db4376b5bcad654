// Node's codes for a TLS handshake that failed on a certificate, found along a cause chain: which
// side refused, so a Kafka or Postgres failure can say whether to fix the CA or the client's own
// certificate. Node passes OpenSSL's verify results as codes (tls.TLSSocket `authorizationError`).
const untrustedCodes = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

// OpenSSL 3 spells them ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE, 1.1 ERR_SSL_SSLV3_ALERT_..., and TLS
// 1.3 adds CERTIFICATE_REQUIRED.
const peerRefusedCertificate =
  /^ERR_SSL_.*ALERT_(CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|HANDSHAKE_FAILURE)$/;

type TlsFailure = {
  readonly side: 'server-untrusted' | 'client-refused';
  readonly code: string;
};

const maxDepth = 10;

export function findTlsFailure(error: unknown, depth = 0): TlsFailure | undefined {
  if (!(error instanceof Error) || depth > maxDepth) return undefined;
  const { code } = error as { code?: unknown };
  if (typeof code === 'string') {
    if (untrustedCodes.has(code)) return { side: 'server-untrusted', code };
    // The peer's alert after it checked our certificate (or found none).
    if (peerRefusedCertificate.test(code)) return { side: 'client-refused', code };
  }
  if (error instanceof AggregateError) {
    for (const one of error.errors as unknown[]) {
      const found = findTlsFailure(one, depth + 1);
      if (found !== undefined) return found;
    }
  }
  return findTlsFailure(error.cause, depth + 1);
}
