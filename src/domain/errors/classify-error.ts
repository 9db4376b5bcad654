// The one place that decides what a failure means: try again, rejoin the group, blame the event,
// or stop. It knows no client library: each edge (a Kafka adapter, the storage layer) reads its
// own library's errors into a kind (FailureKindOf); this adds what holds for every error.
import { ServiceError } from './error-codes.ts';

export type FailureKind =
  /** The database or broker is briefly unavailable: retry with backoff, never dead-letter. */
  | 'transient'
  /** The consumer group changed under the batch (a rebalance, a member or generation the
   * coordinator no longer knows, the coordinator moving): abandon the batch uncommitted and let
   * the client rejoin; the partition's next owner reads it again. Never an exit. */
  | 'group-churn'
  /** Postgres refused a row's data: only the events involved can never be stored. */
  | 'refused-by-database'
  /** A bug or a setup problem no retry will fix: log it and exit non-zero. */
  | 'fatal';

/**
 * What an edge knows of one error of its library; undefined for an error it does not know (or
 * that tells nothing by itself: the classifier then reads its `cause`). It looks inside its own
 * library's wrappers; the classifier follows `cause` and several attempts (AggregateError).
 */
export type FailureKindOf = (error: Error) => FailureKind | undefined;

/** A classifier bound to the edges an operation's errors come from. */
export type ClassifyFailure = (error: unknown) => FailureKind;

const maxCauseDepth = 10; // a cause chain can loop back on itself

const isProgrammingError = (error: unknown): boolean =>
  error instanceof TypeError ||
  error instanceof ReferenceError ||
  error instanceof RangeError ||
  error instanceof SyntaxError;

function classify(error: unknown, edges: readonly FailureKindOf[], depth: number): FailureKind {
  if (isProgrammingError(error)) return 'fatal';
  if (error instanceof ServiceError) return error.retryable ? 'transient' : 'fatal';
  if (!(error instanceof Error) || depth > maxCauseDepth) return 'fatal';
  for (const kindOf of edges) {
    const kind = kindOf(error);
    if (kind !== undefined) return kind;
  }
  if (error.cause !== undefined) return classify(error.cause, edges, depth + 1);
  // A client that gives up after its retries with each attempt's error: the failure passes if
  // each attempt's would.
  if (error instanceof AggregateError && error.errors.length > 0) {
    const kinds = error.errors.map((one: unknown) => classify(one, edges, depth + 1));
    if (kinds.every((kind) => kind === 'transient')) return 'transient';
  }
  return 'fatal';
}

/** What `error` means, asking `edges` (the ones its operation reaches) about their own errors. */
export const classifyError = (error: unknown, edges: readonly FailureKindOf[]): FailureKind =>
  classify(error, edges, 0);

export const failureClassifier =
  (...edges: readonly FailureKindOf[]): ClassifyFailure =>
  (error) =>
    classify(error, edges, 0);

/** Whether the consumer carries on (the client restarting or rejoining) rather than exit. */
export const isRecoverable = (kind: FailureKind): boolean =>
  kind === 'transient' || kind === 'group-churn';
