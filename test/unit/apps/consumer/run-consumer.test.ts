// The consumer's policy (run-consumer.ts) against the port in memory and a store in memory: what it
// commits, retries, rethrows and calls fatal, in milliseconds and without a broker. That the
// adapters behave as the port says is the real-broker suite's job (test/integration/messaging/).
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import type { Knex } from 'knex';
import winston from 'winston';
import { ServiceError } from '../../../../src/domain/errors/error-codes.ts';
import { runConsumer, type RunningConsumer } from '../../../../src/apps/consumer/run-consumer.ts';
import { readConfig, type Config } from '../../../../src/runtime/config.ts';
import { createLogger } from '../../../../src/runtime/logger.ts';
import { deadLetterHeaders } from '../../../../src/pipeline/to-dead-letter.ts';
import { groupChurnError, type InMemoryGroup } from '../../../support/in-memory-group.ts';
import { connectionLost, InMemoryMessaging } from '../../../support/in-memory-messaging.ts';
import { InMemoryEventStore } from '../../../support/in-memory-event-store.ts';
import { exampleV1Event } from '../../fixtures.ts';

/** Never touched: the store in memory takes the database's place. */
const noDatabase = new Proxy(
  {},
  {
    get() {
      throw new Error('the policy tests keep events in memory, not in a database');
    },
  },
) as Knex;

interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly [field: string]: unknown;
}

/** A JSON logger at debug whose lines the test reads. */
function capturedLogger() {
  const lines: LogLine[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean))
      lines.push(JSON.parse(line) as LogLine);
  });
  const logger = createLogger('debug', 'json');
  logger.clear().add(new winston.transports.Stream({ stream }));
  return { logger, lines };
}

const eventValue = (n: number) => JSON.stringify({ ...exampleV1Event(), eventId: `evt_${n}` });

function consumerOver(options: { config?: Partial<Config>; partitions?: number } = {}) {
  const config: Config = { ...readConfig({}), ...options.config };
  const messaging = new InMemoryMessaging()
    .addTopic(config.topic, options.partitions ?? 1)
    .addTopic(config.dlqTopic, 1);
  const store = new InMemoryEventStore();
  const { logger, lines } = capturedLogger();
  const fatal: unknown[] = [];
  const start = () =>
    runConsumer({
      config,
      messaging,
      db: noDatabase,
      logger,
      onFatal: (error) => fatal.push(error),
      storeSliceEvents: store.storeSliceEvents,
    });
  return { config, messaging, store, fatal, lines, start };
}

/** Consumers a test started: stopped after it (their offsets watch reads on a timer). */
const running: RunningConsumer[] = [];

async function started(options: Parameters<typeof consumerOver>[0] = {}) {
  const setup = consumerOver(options);
  const consumer: RunningConsumer = await setup.start();
  running.push(consumer);
  const group = setup.messaging.groups[0] as InMemoryGroup;
  return { ...setup, consumer, group };
}

describe('the consumer policy (run-consumer.ts), on the port in memory', () => {
  afterEach(async () => {
    for (const consumer of running.splice(0)) await consumer.stop();
  });

  it('commits past the last message once every event is stored, and only then', async () => {
    const { messaging, store, group, config, fatal } = await started();
    messaging.append(config.topic, 0, [eventValue(1), eventValue(2), eventValue(3)]);
    let committedWhenStored: bigint | undefined = -1n;
    store.onStore = () =>
      (committedWhenStored = messaging.committedOffset(config.consumerGroupId, config.topic, 0));

    const delivered = await group.deliver(0);

    expect(store.storedOffsets()).to.deep.equal(['0', '1', '2']);
    expect(committedWhenStored).to.equal(undefined);
    expect(delivered.committed).to.equal(3n);
    expect(fatal).to.deep.equal([]);
  });

  it('commits through the last settled message when the write budget settles only the first ones', async () => {
    const { messaging, store, group, config, fatal } = await started();
    messaging.append(config.topic, 0, [eventValue(1), eventValue(2), eventValue(3)]);
    store.settleAtMost = 2;

    const first = await group.deliver(0);
    expect(first.committed).to.equal(2n);
    expect(store.storedOffsets()).to.deep.equal(['0', '1']);

    // The rest is handed over again from the committed offset, and then committed past its end.
    const second = await group.deliver(0);
    expect(store.calls.at(-1)).to.deep.equal(['2']);
    expect(second.committed).to.equal(3n);
    expect(store.storedOffsets()).to.deep.equal(['0', '1', '2']);
    expect(fatal).to.deep.equal([]);
  });

  it('commits nothing when the write budget settles none of the batch, so it is read again', async () => {
    const { messaging, store, group, config, fatal } = await started();
    messaging.append(config.topic, 0, [eventValue(1), eventValue(2)]);
    store.settleAtMost = 0;

    const delivered = await group.deliver(0);

    expect(delivered.committed).to.equal(undefined);
    expect(store.storedOffsets()).to.deep.equal([]);
    expect(fatal).to.deep.equal([]);
  });

  it('retries a passing failure in place, then commits the batch stored once', async () => {
    const { messaging, store, group, config, fatal, lines } = await started();
    messaging.append(config.topic, 0, [eventValue(1), eventValue(2)]);
    store.failNext(connectionLost());

    const delivered = await group.deliver(0);

    expect(store.calls).to.deep.equal([
      ['0', '1'],
      ['0', '1'],
    ]);
    expect(store.storedOffsets()).to.deep.equal(['0', '1']);
    expect(delivered).to.include({ committed: 2n });
    expect(delivered).not.to.have.property('thrown');
    expect(lines.map((line) => line.message)).to.include(
      'batch failed for a passing reason, retrying',
    );
    expect(fatal).to.deep.equal([]);
  });

  it('goes on after a retry from the first slice not yet settled', async () => {
    // One message per slice: the second slice fails once; the first is not stored again.
    const { messaging, store, group, config } = await started({
      config: { consumerSliceMaxBytes: 1 },
    });
    messaging.append(config.topic, 0, [eventValue(1), eventValue(2), eventValue(3)]);
    let call = 0;
    store.onStore = () => {
      call += 1;
      if (call === 2) store.failNext(connectionLost());
    };

    const delivered = await group.deliver(0);

    expect(store.calls).to.deep.equal([['0'], ['1'], ['1'], ['2']]);
    expect(delivered.committed).to.equal(3n);
  });

  it('leaves the offset where it was when the group moves on during a retry', async () => {
    const { messaging, store, group, config, fatal } = await started();
    messaging.append(config.topic, 0, [eventValue(1)]);
    store.onStore = () => {
      store.onStore = () => undefined;
      store.failNext(connectionLost());
      group.rebalance([0]);
    };

    const delivered = await group.deliver(0);

    expect(store.calls).to.have.length(1);
    expect(delivered.committed).to.equal(undefined);
    expect(delivered).not.to.have.property('thrown');
    expect(fatal).to.deep.equal([]);
  });

  it('rethrows group churn uncommitted, so the client rejoins, and never calls it fatal', async () => {
    const { messaging, store, group, config, fatal, lines } = await started();
    messaging.append(config.topic, 0, [eventValue(1)]);
    // The batch is stored, then the group moves on before its commit.
    store.onStore = () => group.rebalance([0]);

    const delivered = await group.deliver(0);

    expect(store.storedOffsets()).to.deep.equal(['0']);
    expect(delivered.committed).to.equal(undefined);
    expect(delivered.thrown).to.have.property('type', 'REBALANCE_IN_PROGRESS');
    expect(fatal).to.deep.equal([]);
    expect(group.crashes).to.deep.equal([]);
    expect(lines.map((line) => line.message)).to.include(
      'consumer group changed under the batch, rejoining',
    );
  });

  it('rethrows a heartbeat that reports churn while slices are settled', async () => {
    const { messaging, store, group, config, fatal } = await started({
      config: { consumerSliceMaxBytes: 1 },
    });
    messaging.append(config.topic, 0, [eventValue(1), eventValue(2)]);
    messaging.failNext('heartbeat', groupChurnError());

    const delivered = await group.deliver(0);

    expect(store.calls).to.deep.equal([['0']]);
    expect(delivered.committed).to.equal(undefined);
    expect(delivered.thrown).to.have.property('type', 'REBALANCE_IN_PROGRESS');
    expect(fatal).to.deep.equal([]);
  });

  it('calls a setup failure fatal, commits nothing and stops the member', async () => {
    const { messaging, store, group, config, fatal } = await started();
    messaging.append(config.topic, 0, [eventValue(1)]);
    const notMigrated = new ServiceError('DATABASE_NOT_MIGRATED', 'product_events is gone');
    store.failNext(notMigrated);

    const delivered = await group.deliver(0);

    expect(store.calls).to.have.length(1);
    expect(delivered.committed).to.equal(undefined);
    expect(delivered.thrown).to.equal(notMigrated);
    // The handler says so, then the crash the client reports says so again.
    expect(fatal).to.deep.equal([notMigrated, notMigrated]);
    expect(group.crashes).to.deep.equal([{ error: notMigrated, restarting: false }]);
  });

  it('rethrows a commit the client failed for a passing reason, without calling it fatal', async () => {
    const { messaging, store, group, config, fatal } = await started();
    messaging.append(config.topic, 0, [eventValue(1)]);
    const lost = connectionLost();
    messaging.failNext('commit', lost);

    const delivered = await group.deliver(0);

    expect(store.storedOffsets()).to.deep.equal(['0']);
    expect(delivered.committed).to.equal(undefined);
    expect(delivered.thrown).to.equal(lost);
    expect(fatal).to.deep.equal([]);
    // Read again from where commits stand: stored once, committed.
    expect((await group.deliver(0)).committed).to.equal(1n);
  });

  it('dead-letters what can never be stored before the commit, and keeps the batch while the letters wait', async () => {
    const { messaging, store, group, config, fatal } = await started();
    messaging.append(config.topic, 0, [eventValue(1), '{not json', eventValue(3)]);
    store.refused.add('evt_3');
    messaging.failNext('send', connectionLost());

    const delivered = await group.deliver(0);

    const letters = messaging.messagesOf(config.dlqTopic);
    const codes = letters.map((letter) => String(letter.headers?.[deadLetterHeaders.code]));
    const offsets = letters.map((letter) => String(letter.headers?.[deadLetterHeaders.offset]));
    expect(codes).to.deep.equal(['EVENT_MALFORMED', 'EVENT_REFUSED_BY_DATABASE']);
    expect(offsets).to.deep.equal(['1', '2']);
    expect(store.storedOffsets()).to.deep.equal(['0']);
    expect(delivered.committed).to.equal(3n);
    expect(fatal).to.deep.equal([]);
  });

  it('settles the messages before an unreadable batch, then reports the stopped partition once', async () => {
    const { messaging, store, group, config, consumer, lines } = await started({ partitions: 2 });
    messaging.append(config.topic, 0, [eventValue(1)]);
    messaging.appendUnreadable(config.topic, 0);

    const delivered = await group.deliver(0);

    expect(store.storedOffsets()).to.deep.equal(['0']);
    expect(delivered.committed).to.equal(1n);
    expect(group.paused.has(0)).to.equal(true);
    expect(consumer.status.snapshot().stoppedPartitions).to.deep.equal([
      { partition: 0, offset: '1' },
    ]);
    const reports = lines.filter((line) => line['code'] === 'KAFKA_BATCH_UNREADABLE');
    expect(reports).to.have.length(1);
    expect(reports[0]).to.include({ partition: 0, offset: '1', level: 'error' });
  });

  it('reports an unreadable batch that comes with no message, and commits nothing', async () => {
    const { messaging, store, group, config, consumer } = await started();
    messaging.appendUnreadable(config.topic, 0);

    const delivered = await group.deliver(0);

    expect(store.calls).to.deep.equal([]);
    expect(delivered.committed).to.equal(undefined);
    expect(consumer.status.snapshot().stoppedPartitions).to.have.length(1);
  });

  it('handles nothing of a batch whose partition has already moved on', async () => {
    const { messaging, store, group, config } = await started();
    messaging.append(config.topic, 0, [eventValue(1)]);
    const handle = group.options.handle;
    await handle(
      {
        topic: config.topic,
        partition: 0,
        messages: messaging.messagesOf(config.topic),
        lag: () => 0,
      },
      {
        heartbeat: () => Promise.resolve(),
        isActive: () => false,
        commit: () => Promise.reject(new Error('committed')),
      },
    );
    expect(store.calls).to.deep.equal([]);
  });

  describe('at start', () => {
    it('refuses to start without the dead-letter topic', async () => {
      const setup = consumerOver();
      setup.messaging.topics.delete(setup.config.dlqTopic);
      const error = await setup.start().then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(error)
        .to.be.instanceOf(ServiceError)
        .and.have.property('code', 'DEAD_LETTER_TOPIC_UNUSABLE');
      expect(setup.messaging.groups).to.have.length(0);
    });

    it('refuses to start when the source topic cannot be read', async () => {
      const setup = consumerOver();
      setup.messaging.topics.delete(setup.config.topic);
      const error = await setup.start().then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(error).to.be.instanceOf(Error);
      expect(setup.messaging.groups).to.have.length(0);
    });

    it('restarts on what passes (transient, churn) and stops on anything else', async () => {
      const { group } = await started();
      expect(group.options.restartOnFailure(connectionLost())).to.equal(true);
      expect(group.options.restartOnFailure(groupChurnError())).to.equal(true);
      expect(group.options.restartOnFailure(new TypeError('a bug'))).to.equal(false);
      expect(group.options.fromBeginning).to.equal(true);
    });

    it('calls a crash fatal only when the client does not come back by itself', async () => {
      const { group, fatal, consumer } = await started();
      const lost = connectionLost();
      group.options.onCrash(lost, true);
      expect(fatal).to.deep.equal([]);
      expect(consumer.status.snapshot().inGroup).to.equal(false);
      group.options.onCrash(lost, false);
      expect(fatal).to.deep.equal([lost]);
    });
  });
});
