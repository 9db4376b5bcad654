// The one place that decides what a failure means: try again, blame the event, or stop.
import { ServiceError } from './error-codes.ts';

export type FailureKind =
  /** The database or broker is briefly unavailable: retry with backoff, never dead-letter. */
  | 'transient'
  /** Postgres rejected a row's data: only the events involved can never be stored. */
  | 'event-data'
  /** A bug or a setup problem no retry will fix: log it and exit non-zero. */
  | 'fatal';

const transientSqlStates = new Set(['57P01', '57P02', '57P03', '40001', '40P01']);
// Postgres classes: 08 connection exception, 53 insufficient resources.
const transientSqlClasses = new Set(['08', '53']);
// 22 data exception, 23 integrity constraint violation, 54 program limit exceeded (a row too
// complex or too large for Postgres).
const eventDataSqlClasses = new Set(['22', '23', '54']);
const transientNetworkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

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

  const { code, retriable } = error as { code?: unknown; retriable?: unknown };
  // Before the SQLSTATE test: EPIPE is five capital letters too.
  if (typeof code === 'string' && transientNetworkCodes.has(code)) return 'transient';
  if (isSqlState(code)) {
    const sqlClass = code.slice(0, 2);
    if (transientSqlStates.has(code) || transientSqlClasses.has(sqlClass)) return 'transient';
    if (eventDataSqlClasses.has(sqlClass)) return 'event-data';
    return 'fatal';
  }
  // kafkajs marks errors that may pass on their own; knex's pool gives up with KnexTimeoutError;
  // pg reports a connection closed under it in the message alone.
  if (retriable === true || error.name === 'KafkaJSNumberOfRetriesExceeded') return 'transient';
  if (error.name === 'KnexTimeoutError') return 'transient';
  if (/Connection terminated|connection timeout/i.test(error.message)) return 'transient';
  // Bounded: a cause chain can loop back on itself.
  if (error.cause !== undefined && depth < 10) return classifyError(error.cause, depth + 1);
  return 'fatal';
}
