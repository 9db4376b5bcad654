// @platformatic/kafka's errors for a broker that does not answer, a topic that does not exist, a
// refused login or certificate. It gives up after its retries with the attempts' errors
// (MultipleErrors, an AggregateError): unreachable when every attempt was a network failure.
import type { KafkaFailure, RecogniseFailure } from '../../messaging/kafka-failures.ts';
import type { KafkaSecurity } from '../../runtime/kafka-security.ts';
import { findTlsFailure } from '../../runtime/tls-failure.ts';

const maxDepth = 10;

/** Every error inside `error`: its causes and, for an AggregateError, each attempt's. */
export function* errorChain(error: unknown, depth = 0): Generator<Error> {
  if (!(error instanceof Error) || depth > maxDepth) return;
  yield error;
  if (error instanceof AggregateError)
    for (const one of error.errors as unknown[]) yield* errorChain(one, depth + 1);
  yield* errorChain(error.cause, depth + 1);
}

/** A refused login is a NetworkError caused by an AuthenticationError, whose ResponseError holds
 * the broker's own words (they name the mechanism). */
function refusedLogin(error: unknown): KafkaFailure | undefined {
  for (const one of errorChain(error)) {
    if ((one as { code?: unknown }).code !== 'PLT_KFK_AUTHENTICATION') continue;
    for (const inner of errorChain(one.cause)) {
      const words = (inner as { response?: { errorMessage?: unknown } }).response?.errorMessage;
      if (typeof words === 'string' && words !== '') return { kind: 'sasl-failed', reason: words };
    }
    return { kind: 'sasl-failed', reason: one.message };
  }
  return undefined;
}

function recognisePlatformaticFailure(error: unknown, depth = 0): KafkaFailure | undefined {
  if (!(error instanceof Error) || depth > maxDepth) return undefined;
  if (depth === 0) {
    // A certificate refused and a login refused come wrapped as network errors: looked for first.
    const tls = findTlsFailure(error);
    if (tls !== undefined)
      return {
        kind: tls.side === 'server-untrusted' ? 'tls-untrusted' : 'tls-refused',
        reason: tls.code,
      };
    const login = refusedLogin(error);
    if (login !== undefined) return login;
  }
  const { code, apiId } = error as { code?: unknown; apiId?: unknown };
  if (apiId === 'UNKNOWN_TOPIC_OR_PARTITION' || /^Unknown topic /.test(error.message))
    return { kind: 'topic-missing' };
  if (code === 'PLT_KFK_NETWORK') {
    const errno = (error.cause as { code?: unknown } | undefined)?.code;
    return { kind: 'unreachable', reason: typeof errno === 'string' ? errno : error.message };
  }
  if (error instanceof AggregateError && error.errors.length > 0) {
    const found = error.errors.map((one: unknown) => recognisePlatformaticFailure(one, depth + 1));
    if (found.every((one) => one?.kind === 'unreachable')) return found[0];
    const missing = found.find((one) => one?.kind === 'topic-missing');
    if (missing !== undefined) return missing;
  }
  return recognisePlatformaticFailure(error.cause, depth + 1);
}

/**
 * With TLS on, a broker that closes every connection right after the handshake has refused us:
 * under TLS 1.3 it checks the client's certificate after the client thinks the handshake done,
 * and this client then reports only "Connection closed" (kafkajs sees the alert's code). A
 * plaintext listener fails during the handshake instead, so it is not taken for this.
 */
export function recognisePlatformaticFailureWith(security: KafkaSecurity): RecogniseFailure {
  return (error) => {
    const found = recognisePlatformaticFailure(error);
    if (security.tls === undefined || found?.kind !== 'unreachable') return found;
    const closed = [...errorChain(error)].filter(
      (one) => one.cause === undefined && !(one instanceof AggregateError),
    );
    return closed.length > 0 && closed.every((one) => one.message === 'Connection closed')
      ? {
          kind: 'tls-refused',
          reason: `the broker closed every connection after the TLS handshake${security.tls.cert === undefined ? ', and no client certificate was given' : ''}`,
        }
      : found;
  };
}
