// kafkajs's errors for a broker that does not answer and a topic that does not exist, found along
// the `cause` chain (kafkajs wraps the last attempt's error in KafkaJSNumberOfRetriesExceeded).
import type { KafkaFailure } from '../../messaging/kafka-failures.ts';
import { findTlsFailure } from '../../runtime/tls-failure.ts';

const maxDepth = 10; // a cause chain can loop back on itself

export function recogniseKafkajsFailure(error: unknown, depth = 0): KafkaFailure | undefined {
  if (!(error instanceof Error) || depth > maxDepth) return undefined;
  // A certificate refused is a connection error to kafkajs: looked for first, down the chain.
  const tls = depth === 0 ? findTlsFailure(error) : undefined;
  if (tls !== undefined)
    return {
      kind: tls.side === 'server-untrusted' ? 'tls-untrusted' : 'tls-refused',
      reason: tls.code,
    };
  const { type, code } = error as { type?: unknown; code?: unknown };
  if (error.name === 'KafkaJSSASLAuthenticationError' || type === 'SASL_AUTHENTICATION_FAILED')
    return { kind: 'sasl-failed', reason: error.message };
  if (type === 'UNKNOWN_TOPIC_OR_PARTITION') return { kind: 'topic-missing' };
  // KafkaJSConnectionError carries Node's errno (ECONNREFUSED, ENOTFOUND) or none for a timeout.
  if (error.name === 'KafkaJSConnectionError')
    return { kind: 'unreachable', reason: typeof code === 'string' ? code : error.message };
  return recogniseKafkajsFailure(error.cause, depth + 1);
}
