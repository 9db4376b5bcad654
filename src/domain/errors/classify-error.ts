// The one place that decides what a failure means: try again, rejoin the group, blame the event,
// or stop.
import { ServiceError } from './error-codes.ts';

export type FailureKind =
  /** The database or broker is briefly unavailable: retry with backoff, never dead-letter. */
  | 'transient'
  /** The consumer group changed under the batch (a rebalance, a member or generation the
   * coordinator no longer knows, the coordinator moving): abandon the batch uncommitted and let
   * kafkajs rejoin; the partition's next owner reads it again. Never an exit. */
  | 'group-churn'
  /** Postgres rejected a row's data: only the events involved can never be stored. */
  | 'event-data'
  /** A bug or a setup problem no retry will fix: log it and exit non-zero. */
  | 'fatal';

// 57014 statement timeout (or a cancelled query) and 55P03 lock not available: the same statement
// succeeds once the load or the lock holder has gone.
const transientSqlStates = new Set(['57P01', '57P02', '57P03', '40001', '40P01', '57014', '55P03']);
// Postgres classes: 08 connection exception, 53 insufficient resources.
const transientSqlClasses = new Set(['08', '53']);
// 22 data exception, 23 integrity constraint violation (check, foreign key, unique, not null), 54
// program limit exceeded (a row too complex or too large for Postgres), P0 a PL/pgSQL raise (an
// owner's trigger or function refusing the row: RAISE EXCEPTION is P0001 unless it names another).
const eventDataSqlClasses = new Set(['22', '23', '54', 'P0']);
const transientNetworkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  // @platformatic/kafka's code for a connection lost, refused or timed out.
  'PLT_KFK_NETWORK',
]);

// Kafka error codes that mean the group is changing, by the names kafkajs (`type`) and
// @platformatic/kafka (`apiId`) give them. kafkajs marks the first three not retriable, because a
// retry is not the cure: rejoining is, and its runner rejoins when eachBatch throws them. The
// coordinator moves it marks retriable. @platformatic/kafka names the coordinator errors as Kafka
// does (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS).
const groupChurnTypes = new Set([
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
  'NOT_COORDINATOR_FOR_GROUP', // NOT_COORDINATOR in Kafka's own naming
  'GROUP_COORDINATOR_NOT_AVAILABLE', // COORDINATOR_NOT_AVAILABLE
  'GROUP_LOAD_IN_PROGRESS', // COORDINATOR_LOAD_IN_PROGRESS
  'NOT_COORDINATOR',
  'COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
]);
const maxCauseDepth = 10; // a cause chain can loop back on itself

/** The clients wrap protocol errors (kafkajs: KafkaJSNonRetriableError, retries exceeded, along
 * `cause`; @platformatic/kafka: MultipleErrors, an AggregateError): look along both. */
function isGroupChurn(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > maxCauseDepth) return false;
  const { type, apiId } = error as { type?: unknown; apiId?: unknown };
  if (typeof type === 'string' && groupChurnTypes.has(type)) return true;
  if (typeof apiId === 'string' && groupChurnTypes.has(apiId)) return true;
  if (error instanceof AggregateError && error.errors.some((one) => isGroupChurn(one, depth + 1)))
    return true;
  return isGroupChurn(error.cause, depth + 1);
}

const isSqlState = (code: unknown): code is string =>
  typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);

export function classifyError(error: unknown, depth = 0): FailureKind {
  if (
    error instanceof TypeError ||
    error instanceof ReferenceError ||
    error instanceof RangeError ||
    error instanceof SyntaxError
  ) {
    return 'fatal';
  }
  if (error instanceof ServiceError) return error.retryable ? 'transient' : 'fatal';
  if (!(error instanceof Error)) return 'fatal';
  if (depth === 0 && isGroupChurn(error)) return 'group-churn';

  const { code, retriable } = error as { code?: unknown; retriable?: unknown };
  // Before the SQLSTATE test: EPIPE is five capital letters too.
  if (typeof code === 'string' && transientNetworkCodes.has(code)) return 'transient';
  if (isSqlState(code)) {
    const sqlClass = code.slice(0, 2);
    if (transientSqlStates.has(code) || transientSqlClasses.has(sqlClass)) return 'transient';
    if (eventDataSqlClasses.has(sqlClass)) return 'event-data';
    return 'fatal';
  }
  // kafkajs (`retriable`) and @platformatic/kafka (`canRetry`) mark errors that may pass on their
  // own; knex's pool gives up with KnexTimeoutError; pg reports a connection lost under it in the
  // message alone.
  const { canRetry } = error as { canRetry?: unknown };
  if (retriable === true || canRetry === true) return 'transient';
  if (error.name === 'KafkaJSNumberOfRetriesExceeded') return 'transient';
  if (error.name === 'KnexTimeoutError') return 'transient';
  // "not queryable": the ROLLBACK knex sends after a failed statement, on a connection that died.
  if (
    /Connection terminated|connection timeout|connection error and is not queryable/i.test(
      error.message,
    )
  )
    return 'transient';
  if (error.cause !== undefined && depth < maxCauseDepth)
    return classifyError(error.cause, depth + 1);
  // @platformatic/kafka gives up after its retries with the attempts' errors (MultipleErrors):
  // the failure passes if each attempt's would.
  if (error instanceof AggregateError && error.errors.length > 0 && depth < maxCauseDepth) {
    const kinds = error.errors.map((one: unknown) => classifyError(one, depth + 1));
    if (kinds.every((kind) => kind === 'transient')) return 'transient';
  }
  return 'fatal';
}

/** Whether the consumer carries on (kafkajs restarting or rejoining) rather than exit. */
export const isRecoverable = (kind: FailureKind): boolean =>
  kind === 'transient' || kind === 'group-churn';
