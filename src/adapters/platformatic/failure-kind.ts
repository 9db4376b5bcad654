// What @platformatic/kafka's errors mean to the service, read by what the client itself says of
// them: `needsRejoin` and `canRetry` on its errors, its network code, and the adapter's own
// GroupChangedError. The client wraps a broker's errors in a ResponseError and gives up after its
// retries with each attempt's error (MultipleErrors, both AggregateErrors): looked through.
import {
  GenericError,
  NetworkError,
  ProtocolError,
  TimeoutError,
  UserError,
} from '@platformatic/kafka';
import type { FailureKindOf } from '../../domain/errors/classify-error.ts';
import { GroupChangedError } from './group-changed-error.ts';
import { errorChain } from './recognise-failure.ts';

// The coordinator moving. The client marks these canRetry, not needsRejoin (a retry finds the new
// coordinator); the service reads them as kafkajs's names for them: the group is changing, so the
// batch in hand is abandoned uncommitted rather than retried in place.
const coordinatorMoved = new Set([
  'NOT_COORDINATOR',
  'COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
]);

const meansGroupChurn = (error: Error): boolean =>
  error instanceof GroupChangedError ||
  (error instanceof ProtocolError &&
    (error['needsRejoin'] === true || coordinatorMoved.has(error['apiId'] as string)));

/**
 * The client's own error for a fetch addressed to a broker that its refreshed metadata no longer
 * lists: the broker left the cluster between the stream choosing it and the request (a kill -9 of
 * a partition leader, in the cluster failover test). It is a UserError, which the client does not
 * retry and which says nothing else about itself, so only its words tell it apart; as kafkajs's
 * KafkaJSBrokerNotFound, it passes once the metadata names the partition's new leader.
 */
const brokerGoneFromMetadata = (error: Error): boolean =>
  error instanceof UserError && /^Cannot find broker with node id -?\d+$/.test(error.message);

export const platformaticFailureKind: FailureKindOf = (error) => {
  for (const one of errorChain(error)) if (meansGroupChurn(one)) return 'group-churn';
  if (brokerGoneFromMetadata(error)) return 'transient';
  // A connection lost, refused or timed out (TimeoutError shares the network code): it passes.
  if (error instanceof GenericError && error.code === NetworkError.code) return 'transient';
  if (GenericError.isGenericError(error) && error['canRetry'] === true) return 'transient';
  return undefined; // what it wraps decides, or it is fatal
};

/** A connection that failed (lost or refused), not one that timed out. */
const unreachable = (error: Error): boolean =>
  error instanceof NetworkError && !(error instanceof TimeoutError);

/** A broker that could not be reached: a network error other than a timeout, anywhere inside. */
export const couldNotConnect = (error: unknown): boolean =>
  [...errorChain(error)].some(unreachable);

/**
 * A failure of a broker leaving the cluster, anywhere inside: it could not be reached, it answered
 * that it no longer leads a partition (what the client marks `hasStaleMetadata`: not leader,
 * leader not available, fenced epoch, unknown partition), or the metadata no longer lists it. A
 * timeout is not one: on a busy machine it is the machine. The group consumer reads on from a new
 * stream after such a failure (group-consumer.ts).
 */
export const brokerLeft = (error: unknown): boolean =>
  [...errorChain(error)].some(
    (one) =>
      unreachable(one) ||
      (one instanceof ProtocolError && one['hasStaleMetadata'] === true) ||
      brokerGoneFromMetadata(one),
  );
