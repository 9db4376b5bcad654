// A member whose group coordinator or fetch leader died (coordinator-failover.ts): kafkajs's own
// ConsumerGroup, with the broker calls replaced by ones that fail as a dead broker does.
import { createRequire } from 'node:module';
import { expect } from 'chai';
import {
  installCoordinatorFailover,
  unreachableLeaderPauseMs,
} from '../../../../src/adapters/kafkajs/coordinator-failover.ts';

const require = createRequire(import.meta.url);
const ConsumerGroup = require('kafkajs/src/consumer/consumerGroup.js') as new (
  options: Record<string, unknown>,
) => Record<string, unknown> & {
  heartbeat(options: { interval: number }): Promise<void>;
  commitOffsets(offsets?: unknown): Promise<void>;
  recoverFromFetch(error: unknown): Promise<void>;
  joinAndSync(): Promise<void>;
};
const errors = require('kafkajs/src/errors.js') as {
  KafkaJSConnectionError: new (message: string, details?: unknown) => Error;
  KafkaJSBrokerNotFound: new (message: string) => Error;
  KafkaJSNumberOfRetriesExceeded: new (
    cause: Error,
    details: { retryCount: number; retryTime: number },
  ) => Error;
  isRebalancing(error: unknown): boolean;
};

const silent = { namespace: () => silent, info() {}, debug() {}, warn() {}, error() {} };

function memberOf(cluster: Record<string, unknown> = {}) {
  const group = new ConsumerGroup({
    cluster,
    groupId: 'g',
    topics: [],
    logger: silent,
    instrumentationEmitter: { emit() {} },
  });
  group['memberId'] = 'member-1';
  group['generationId'] = 1;
  return group;
}

describe('kafkajs coordinator failover', () => {
  before(() => installCoordinatorFailover());

  it('reports a heartbeat to a coordinator that refuses connections as the coordinator moved, so the runner rejoins', async () => {
    const refused = new errors.KafkaJSConnectionError('Connection error: connect ECONNREFUSED', {
      code: 'ECONNREFUSED',
    });
    const group = memberOf();
    group['coordinator'] = { heartbeat: () => Promise.reject(refused) };
    const error = await group.heartbeat({ interval: 0 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(errors.isRebalancing(error), String(error)).to.equal(true);
    expect((error as Error).cause).to.equal(refused);
  });

  it('reports a commit to a coordinator gone from the metadata as the coordinator moved', async () => {
    const gone = new errors.KafkaJSBrokerNotFound('Broker 1 not found in the cached metadata');
    const group = memberOf();
    group['offsetManager'] = { commitOffsets: () => Promise.reject(gone) };
    const error = await group.commitOffsets().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(errors.isRebalancing(error), String(error)).to.equal(true);
  });

  it('leaves other heartbeat failures as they are', async () => {
    const other = new Error('something else');
    const group = memberOf();
    group['coordinator'] = { heartbeat: () => Promise.reject(other) };
    const error = await group.heartbeat({ interval: 0 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.equal(other);
  });

  it('hands a coordinator lookup that ran out of retries to the runner as the passing failure it wraps, so the runner retries instead of crashing', async () => {
    const refused = new errors.KafkaJSConnectionError('connect ECONNREFUSED', {
      code: 'ECONNREFUSED',
    });
    const exhausted = new errors.KafkaJSNumberOfRetriesExceeded(refused, {
      retryCount: 5,
      retryTime: 3000,
    });
    const group = memberOf({ findGroupCoordinator: () => Promise.reject(exhausted) });
    const error = await group.joinAndSync().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.equal(refused);
    expect((error as { retriable?: unknown }).retriable).to.equal(true);
  });

  it('joins again while the coordinator is still loading the group, instead of crashing the consumer', async () => {
    const { createErrorFromCode } = require('kafkajs/src/protocol/error.js') as {
      createErrorFromCode: (code: number) => Error;
    };
    const settled = new Error('the third lookup: the test ends the join here');
    let lookups = 0;
    const group = memberOf({
      findGroupCoordinator: () => {
        lookups += 1;
        // COORDINATOR_LOAD_IN_PROGRESS, then COORDINATOR_NOT_AVAILABLE.
        return Promise.reject(lookups <= 2 ? createErrorFromCode(13 + lookups) : settled);
      },
    });
    const error = await group.joinAndSync().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(lookups, 'joins tried').to.equal(3);
    expect(error).to.equal(settled);
  });

  it('waits for new metadata when a fetch leader refuses connections, instead of failing every fetcher', async () => {
    let refreshed = 0;
    const group = memberOf({ refreshMetadata: () => Promise.resolve(void (refreshed += 1)) });
    const startedAt = performance.now();
    await group.recoverFromFetch(new errors.KafkaJSConnectionError('connect ECONNREFUSED'));
    expect(refreshed).to.equal(1);
    expect(performance.now() - startedAt).to.be.at.least(unreachableLeaderPauseMs - 50);
  });
});
