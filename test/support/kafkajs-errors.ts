// Kafka errors exactly as kafkajs builds them from a broker's error code, for unit tests of how the
// service reads them. A hand-made look-alike is how a test once passed while real rebalances were
// fatal: kafkajs marks REBALANCE_IN_PROGRESS not retriable, the look-alike said retriable.
import { createRequire } from 'node:module';

interface ProtocolErrors {
  readonly createErrorFromCode: (code: number) => Error & { type: string; retriable: boolean };
  readonly errorCodes: readonly { readonly type: string; readonly code: number }[];
}

type ErrorClass = new (e: Error, metadata: object) => Error;
interface WrapperErrors {
  readonly KafkaJSNonRetriableError: ErrorClass;
  readonly KafkaJSNumberOfRetriesExceeded: ErrorClass;
}

// kafkajs does not export its code table, and its type declarations omit the `cause` its own
// retrier passes; its package has no "exports" map, so the modules it uses are reachable by path.
const require = createRequire(import.meta.url);
const protocol = require('kafkajs/src/protocol/error.js') as ProtocolErrors;
const wrappers = require('kafkajs/src/errors.js') as WrapperErrors;

/** The KafkaJSProtocolError a broker response with this error type becomes. */
export function kafkaProtocolError(type: string): Error & { type: string; retriable: boolean } {
  const entry = protocol.errorCodes.find((candidate) => candidate.type === type);
  if (entry === undefined) throw new Error(`kafkajs knows no error type ${type}`);
  return protocol.createErrorFromCode(entry.code);
}

/** As kafkajs's retrier passes on an error it may not retry. */
export const asNonRetriable = (error: Error): Error =>
  new wrappers.KafkaJSNonRetriableError(error, { cause: error });

/** As kafkajs's retrier passes on an error it retried until it gave up. */
export const asRetriesExceeded = (error: Error): Error =>
  new wrappers.KafkaJSNumberOfRetriesExceeded(error, {
    retryCount: 5,
    retryTime: 100,
    cause: error,
  });
