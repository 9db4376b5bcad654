// What kafkajs's errors mean to the service, read by what kafkajs itself says of them: the broker's
// error type of a KafkaJSProtocolError and the `retriable` flag of every KafkaJSError.
import kafkajs from 'kafkajs';
import type { FailureKindOf } from '../../domain/errors/classify-error.ts';

// kafkajs's error classes are reachable only through its CommonJS default export.
const { KafkaJSError, KafkaJSProtocolError, KafkaJSNumberOfRetriesExceeded } = kafkajs;

// The broker's errors that mean the group is changing. kafkajs marks the first three not
// retriable, because a retry is not the cure: rejoining is, and its runner rejoins when eachBatch
// throws them. The coordinator moving it marks retriable. Kafka's own names in parentheses.
const groupChurnTypes = new Set([
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
  'NOT_COORDINATOR_FOR_GROUP', // (NOT_COORDINATOR)
  'GROUP_COORDINATOR_NOT_AVAILABLE', // (COORDINATOR_NOT_AVAILABLE)
  'GROUP_LOAD_IN_PROGRESS', // (COORDINATOR_LOAD_IN_PROGRESS)
]);
const maxDepth = 10; // a cause chain can loop back on itself

/** kafkajs's retrier wraps the error it gave up on (KafkaJSNonRetriableError,
 * KafkaJSNumberOfRetriesExceeded) along `cause`: the group's change may be anywhere down it. */
function isGroupChurn(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > maxDepth) return false;
  if (error instanceof KafkaJSProtocolError && groupChurnTypes.has(error.type)) return true;
  return isGroupChurn(error.cause, depth + 1);
}

export const kafkajsFailureKind: FailureKindOf = (error) => {
  if (isGroupChurn(error)) return 'group-churn';
  if (!(error instanceof KafkaJSError)) return undefined;
  // A broker error it may retry, a connection lost, a request timed out: it passes on its own.
  if (error.retriable) return 'transient';
  // It retried until it gave up: the cause was retriable, so the failure may pass yet.
  if (error instanceof KafkaJSNumberOfRetriesExceeded) return 'transient';
  return undefined; // not retriable by itself: what it wraps decides, or it is fatal
};
