// @platformatic/kafka's errors for a broker that does not answer and a topic that does not exist.
// It gives up after its retries with the attempts' errors (MultipleErrors, an AggregateError):
// unreachable when every attempt was a network failure.
import type { KafkaFailure } from '../../messaging/kafka-failures.ts';

const maxDepth = 10;

export function recognisePlatformaticFailure(error: unknown, depth = 0): KafkaFailure | undefined {
  if (!(error instanceof Error) || depth > maxDepth) return undefined;
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
