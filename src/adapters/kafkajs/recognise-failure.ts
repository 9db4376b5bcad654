// kafkajs's errors for a broker that does not answer and a topic that does not exist, found along
// the `cause` chain (kafkajs wraps the last attempt's error in KafkaJSNumberOfRetriesExceeded).
import type { KafkaFailure } from '../../messaging/kafka-failures.ts';

const maxDepth = 10; // a cause chain can loop back on itself

export function recogniseKafkajsFailure(error: unknown, depth = 0): KafkaFailure | undefined {
  if (!(error instanceof Error) || depth > maxDepth) return undefined;
  const { type, code } = error as { type?: unknown; code?: unknown };
  if (type === 'UNKNOWN_TOPIC_OR_PARTITION') return { kind: 'topic-missing' };
  // KafkaJSConnectionError carries Node's errno (ECONNREFUSED, ENOTFOUND) or none for a timeout.
  if (error.name === 'KafkaJSConnectionError')
    return { kind: 'unreachable', reason: typeof code === 'string' ? code : error.message };
  return recogniseKafkajsFailure(error.cause, depth + 1);
}
