// Committed offsets never pass an event that is not stored. The test holds the consumer's write
// with a table lock while events arrive, so a batch is in flight for as long as the test wants, and
// looks at the offsets the group committed meanwhile; then kills the consumer with SIGKILL (no last
// commit), releases the lock and restarts it: every event must be stored exactly once.
import { expect } from 'chai';
import type { Message } from 'kafkajs';
import { generateNewEvent, generateOldEvent } from '../../../src/apps/producer/generate-event.ts';
import { toEventMessage } from '../../../src/apps/producer/event-message.ts';
import { consumerProcesses, expectRunning } from '../../support/consumer-process.ts';
import { groupLag, waitForGroupAtTopicEnd } from '../../support/group-progress.ts';
import { createPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.ts';
import { lockTable, type TableLock } from '../../support/table-lock.ts';
import { waitUntil } from '../../support/wait-until.ts';

const heldPartition = 0;
const flowingPartition = 1;

const eventsTo = (partition: number, count: number) => {
  const events = Array.from({ length: count }, (_, i) =>
    i % 2 === 0 ? generateOldEvent() : generateNewEvent(),
  );
  return {
    events,
    messages: events.map((event): Message => ({ ...toEventMessage(event), partition })),
  };
};

describe('committed offsets, while the write of a batch is held', function () {
  this.timeout(90_000);
  let harness: PipelineHarness;
  let lock: TableLock | undefined;
  const consumers = consumerProcesses(() => harness);

  beforeEach(async () => {
    harness = await createPipelineHarness({ partitions: 2 });
  });
  afterEach(async () => {
    await consumers.killAll();
    await lock?.release();
    await harness.close();
  });

  it('do not move past an unstored event; after kill -9 and a restart every event is stored once', async () => {
    // The group hands a killed member's partitions on after 6 s (the broker's minimum), not 10.
    const env = { CONSUMER_SESSION_TIMEOUT_MS: '6000' };
    lock = await lockTable(harness.databaseUrl, 'product_events');
    const first = eventsTo(heldPartition, 30);
    await harness.produce(first.messages);
    // A batch of another partition that needs no write (another event type: skipped) ends while
    // the held one is in flight. kafkajs commits every resolved offset of the member when any batch
    // ends, so an offset resolved before its batch is stored would be committed right then.
    await harness.produce(
      Array.from({ length: 3 }, () => ({
        partition: flowingPartition,
        key: 'k',
        value: JSON.stringify({ ...generateOldEvent(), eventType: 'product.viewed' }),
      })),
    );
    const consumer = consumers.start(env);
    const lag = await waitUntil(
      'the consumer to wait on the held write and commit the other partition',
      async () => {
        expectRunning(consumer);
        const offsets = await groupLag(
          harness.kafka,
          harness.config.consumerGroupId,
          harness.config.topic,
        );
        const flowing = offsets[flowingPartition];
        return flowing !== undefined && flowing.committed === flowing.end && (await lock?.waiters())
          ? offsets
          : undefined;
      },
      30_000,
      50,
    );
    expect(lag[heldPartition]?.committed, 'committed offset of the held partition').to.equal(-1);

    // Events keep arriving while the write is held: still nothing committed on that partition.
    const second = eventsTo(heldPartition, 10);
    await harness.produce(second.messages);
    const [held] = await groupLag(
      harness.kafka,
      harness.config.consumerGroupId,
      harness.config.topic,
    );
    expect(held?.committed, 'committed offset of the held partition').to.equal(-1);
    expect(await harness.countRows(), 'rows stored while the write is held').to.equal(0);

    consumer.child.kill('SIGKILL');
    await consumer.exited;
    await lock.release();
    const restarted = consumers.start(env);
    await waitForGroupAtTopicEnd(
      {
        ...harness,
        groupId: harness.config.consumerGroupId,
        topic: harness.config.topic,
        fatalErrors: [],
      },
      30_000,
    );
    expectRunning(restarted);

    const produced = [...first.events, ...second.events].map((event) => event.eventId).sort();
    const stored = await harness.db('product_events').orderBy('event_id').pluck('event_id');
    expect(stored, 'stored event ids').to.deep.equal(produced);
    expect(await harness.deadLetterCount(), 'dead letters').to.equal(0);
  });
});
