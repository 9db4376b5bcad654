// Workaround for kafkajs 2.2.4 (unmaintained, pinned exact) on a cluster that loses a broker.
// A member keeps the group coordinator it joined through for the whole membership: heartbeats go
// to that broker, commits to its node id. When that broker dies, every heartbeat fails with
// ECONNREFUSED and every commit with "Broker N not found in the cached metadata" (the refreshed
// metadata no longer lists it), and the runner only retries, against the same dead broker, until
// its retries run out: the consumer crashes, restarts 8-10 s later as a new member and re-reads
// every uncommitted batch. Likewise a fetch from a partition leader that died throws out of every
// fetcher of the process (one dead broker stalls the partitions of the live ones) instead of
// waiting for the metadata to name the new leader, as kafkajs already does for a broker it no
// longer knows.
//
// The cure kafkajs has is rejoining: a JoinGroup looks the coordinator up afresh and keeps the
// member id, and the runner rejoins on NOT_COORDINATOR. So a coordinator that cannot be reached is
// reported as NOT_COORDINATOR (the cause kept), and a fetch leader that cannot be reached is
// treated like an unknown one: the metadata is refreshed and that broker's fetcher pauses a moment.
// docs/workarounds.md; test/unit/adapters/kafkajs/coordinator-failover.test.ts.
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { kafkajsVersion } from './bounded-fetch-decoding.ts';

const require = createRequire(import.meta.url);

/** Errors that mean the broker asked did not answer at all (it is down or gone from the metadata). */
const unreachableNames = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
]);
/** Kafka's NOT_COORDINATOR: kafkajs calls it NOT_COORDINATOR_FOR_GROUP and rejoins on it. */
const notCoordinatorCode = 16;
/** Kafka's COORDINATOR_LOAD_IN_PROGRESS and COORDINATOR_NOT_AVAILABLE: the group's coordinator
 * is not ready yet. */
const coordinatorNotReadyCodes = new Set([14, 15]);
/** Joins tried while the coordinator is not ready (about 40 s at 300 ms more each, 2 s at most). */
const coordinatorNotReadyAttempts = 25;
export const coordinatorNotReadyPauseMs = 300;
const coordinatorNotReady = (error: Error) =>
  error.name === 'KafkaJSProtocolError' &&
  coordinatorNotReadyCodes.has((error as { code?: unknown }).code as number);
/** How long a fetcher whose leader did not answer waits before asking the metadata again. */
export const unreachableLeaderPauseMs = 1_000;

type Method = (this: ConsumerGroupPrototype, ...args: unknown[]) => Promise<unknown>;

/** What of kafkajs's ConsumerGroup is wrapped (function-valued fields: they are replaced). */
interface ConsumerGroupPrototype {
  heartbeat: Method;
  commitOffsets: Method;
  commitOffsetsIfNecessary: Method;
  recoverFromFetch: Method;
  joinAndSync: Method;
  cluster: { refreshMetadata(): Promise<void> };
}

export function isUnreachable(error: unknown): boolean {
  return error instanceof Error && unreachableNames.has(error.name);
}

/** The first error of a cause chain: what kafkajs's retries ran out on. */
function rootCause(error: Error): Error {
  let root = error;
  for (let depth = 0; root.cause instanceof Error && depth < 10; depth += 1) root = root.cause;
  return root;
}

/** The error kafkajs's runner rejoins on, caused by the one that says the coordinator is gone. */
export function coordinatorMoved(cause: Error): Error {
  const { createErrorFromCode } = require('kafkajs/src/protocol/error.js') as {
    createErrorFromCode: (code: number) => Error;
  };
  const moved = createErrorFromCode(notCoordinatorCode);
  moved.message = `group coordinator unreachable (${cause.message}), rejoining`;
  moved.cause = cause;
  return moved;
}

let installed = false;

export function installCoordinatorFailover(): void {
  if (installed) return;
  const version = (require('kafkajs/package.json') as { version: string }).version;
  if (version !== kafkajsVersion)
    throw new Error(
      `coordinator-failover.ts wraps methods of kafkajs ${kafkajsVersion}, not ${version}`,
    );
  installed = true;
  const proto = (
    require('kafkajs/src/consumer/consumerGroup.js') as { prototype: ConsumerGroupPrototype }
  ).prototype;

  for (const name of ['heartbeat', 'commitOffsets', 'commitOffsetsIfNecessary'] as const) {
    const original = proto[name];
    proto[name] = async function (this: ConsumerGroupPrototype, ...args: unknown[]) {
      try {
        return await original.apply(this, args);
      } catch (error) {
        throw isUnreachable(error) ? coordinatorMoved(error as Error) : error;
      }
    };
  }

  // A join whose coordinator lookup ran out of retries (the dead coordinator still in the metadata
  // until the cluster fences it, 9 s by default) throws KafkaJSNumberOfRetriesExceeded, which the
  // runner takes as not retriable: it crashes. Handed over as the passing failure it wraps, the
  // runner retries it, rejoining, within its own budget (group-consumer.ts, fetchRetry).
  // The runner's first join is outside that budget: any failure of it crashes the consumer, which
  // restarts as a new member. A coordinator still loading the group (a broker just started or just
  // made coordinator) or not yet elected is such a failure: the join is tried again here instead.
  const joinAndSync = proto.joinAndSync;
  proto.joinAndSync = async function (this: ConsumerGroupPrototype) {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await joinAndSync.call(this);
        return;
      } catch (error) {
        if (!(error instanceof Error)) throw error;
        const cause = error.name === 'KafkaJSNumberOfRetriesExceeded' ? rootCause(error) : error;
        if (coordinatorNotReady(cause) && attempt < coordinatorNotReadyAttempts) {
          await sleep(Math.min(coordinatorNotReadyPauseMs * attempt, 2_000));
          continue;
        }
        if (error.name !== 'KafkaJSNumberOfRetriesExceeded') throw error;
        throw (cause as { retriable?: unknown }).retriable === true ? cause : error;
      }
    }
  };

  const recoverFromFetch = proto.recoverFromFetch;
  proto.recoverFromFetch = async function (this: ConsumerGroupPrototype, error: unknown) {
    // kafkajs handles a broker it no longer knows and a connection closed under a fetch itself.
    if (!(error instanceof Error && error.name === 'KafkaJSConnectionError'))
      return recoverFromFetch.call(this, error);
    await this.cluster.refreshMetadata().catch(() => undefined);
    await sleep(unreachableLeaderPauseMs);
  };
}
