// @platformatic/kafka's errors for a broker that does not answer and a topic that does not exist.
// It gives up after its retries with the attempts' errors (MultipleErrors, an AggregateError):
// unreachable when every attempt was a network failure.
import type { KafkaFailure } from '../../messaging/kafka-failures.ts';
import { findTlsFailure } from '../../runtime/tls-failure.ts';

const maxDepth = 10;

/** The broker's own message for a refused login (it names the mechanism), else the client's. */
function brokerWords(error: Error): string {
  for (
    let cause: unknown = error.cause, depth = 0;
    cause instanceof Error && depth < maxDepth;
    depth++
  ) {
    const { errorMessage } = cause as { errorMessage?: unknown };
    if (typeof errorMessage === 'string' && errorMessage !== '') return errorMessage;
    cause = cause.cause;
  }
  return error.message;
}

export function recognisePlatformaticFailure(error: unknown, depth = 0): KafkaFailure | undefined {
  if (!(error instanceof Error) || depth > maxDepth) return undefined;
  // A certificate refused comes as a network error: looked for first, down the chain.
  const tls = depth === 0 ? findTlsFailure(error) : undefined;
  if (tls !== undefined)
    return {
      kind: tls.side === 'server-untrusted' ? 'tls-untrusted' : 'tls-refused',
      reason: tls.code,
    };
  const { code, apiId } = error as { code?: unknown; apiId?: unknown };
  if (code === 'PLT_KFK_AUTHENTICATION') return { kind: 'sasl-failed', reason: brokerWords(error) };
  if (apiId === 'UNKNOWN_TOPIC_OR_PARTITION' || /^Unknown topic /.test(error.message))
    return { kind: 'topic-missing' };
  if (code === 'PLT_KFK_NETWORK') {
    const errno = (error.cause as { code?: unknown } | undefined)?.code;
    return { kind: 'unreachable', reason: typeof errno === 'string' ? errno : error.message };
  }
  if (error instanceof AggregateError && error.errors.length > 0) {
    const found = error.errors.map((one: unknown) => recognisePlatformaticFailure(one, depth + 1));
    if (found.every((one) => one?.kind === 'unreachable')) return found[0];
    const refused = found.find((one) => one?.kind === 'sasl-failed');
    if (refused !== undefined) return refused;
    const missing = found.find((one) => one?.kind === 'topic-missing');
    if (missing !== undefined) return missing;
  }
  return recognisePlatformaticFailure(error.cause, depth + 1);
}
