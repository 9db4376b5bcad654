// A partition flooded with copies of one eventId does not hold back the other partitions of the
// process. The flood: 3 000 copies that differ in their bytes (metadata keys in another order) but
// not by the rule of the same event, so each is judged in a round of its own, no sweep settles
// them, and settling them all takes thousands of transactions. The consumer bounds the writes of a
// call (write-budget.ts) and commits the part it settled; the client then fetches again for every
// partition. An event sent to another partition once the flood's work has begun must be stored
// while the flood has settled only its first part: its first commits, not its whole batch.
import { expect } from 'chai';
import type { Message } from 'kafkajs';
import { generateOldEvent } from '../../../src/apps/producer/generate-event.ts';
import { toEventMessage } from '../../../src/apps/producer/event-message.ts';
import { groupLag } from '../../support/group-progress.ts';
import { createPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.ts';
import { waitUntil } from '../../support/wait-until.ts';

const floodedPartition = 0;
const otherPartition = 1;
const copies = 3_000;
const metadataKeys = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];

/** The n-th ordering of the keys (7! = 5 040 of them): the same jsonb, different bytes. */
function ordering(n: number): string[] {
  const pool = [...metadataKeys];
  const order: string[] = [];
  for (let rest = n, size = pool.length; size > 0; size -= 1) {
    let factorial = 1;
    for (let k = 2; k < size; k += 1) factorial *= k;
    const [key] = pool.splice(Math.floor(rest / factorial), 1);
    order.push(key ?? '');
    rest %= factorial;
  }
  return order;
}

describe('partitions of one consumer, one flooded with copies of an event', function () {
  this.timeout(120_000);
  let harness: PipelineHarness;

  beforeEach(async () => {
    harness = await createPipelineHarness({ partitions: 2 });
  });
  afterEach(async () => {
    await harness.close();
  });

  it('store another partition’s event while the flood has settled only its first part', async () => {
    const original = generateOldEvent();
    const flood = Array.from({ length: copies }, (_, n): Message => {
      const metadata = Object.fromEntries(ordering(n).map((key) => [key, key]));
      return {
        partition: floodedPartition,
        key: original.eventId,
        value: JSON.stringify({ ...original, metadata }),
      };
    });
    // In sends the broker takes (a request holds one record batch per partition).
    for (let from = 0; from < copies; from += 500)
      await harness.produce(flood.slice(from, from + 500));
    await harness.startConsumer();
    await waitUntil(
      'the flood’s first copy stored',
      async () => (await harness.countRows()) > 0,
      60_000,
      50,
    );

    const other = generateOldEvent();
    await harness.produce([{ ...toEventMessage(other), partition: otherPartition }]);
    await waitUntil(
      'the other partition’s event stored',
      async () =>
        (await harness.db('product_events').where({ event_id: other.eventId }).first()) !==
        undefined,
      90_000,
      50,
    );
    const lag = await groupLag(harness.kafka, harness.config.consumerGroupId, harness.config.topic);
    const flooded = lag[floodedPartition];
    // Waiting for the flood's whole batch, the other partition's event would come after thousands
    // of rounds; bounded calls let it in after a few dozen (a couple of calls on the flood).
    expect(flooded?.committed, 'copies of the flood committed by then').to.be.below(copies / 2);
    expect(await harness.deadLetterCount(), 'dead letters: the copies are the same event').to.equal(
      0,
    );
  });
});
