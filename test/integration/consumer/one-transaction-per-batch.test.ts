// A batch's product_events rows and shipping_addresses rows are one transaction. A trigger on a
// scratch database refuses the address of one marked event, so the address write fails after the
// batch's event rows are written: none of those rows may stay behind. Two ways the refusal reads:
// as bad data (check_violation: the event is isolated and dead-lettered, the rest stored) and as a
// failure no retry fixes (insufficient_privilege: the consumer stops with nothing of the batch
// stored).
import { expect } from 'chai';
import type { Message } from 'kafkajs';
import { deadLetterHeaders } from '../../../src/pipeline/to-dead-letter.ts';
import { toEventMessage } from '../../../src/apps/producer/event-message.ts';
import { generateNewEvent } from '../../../src/apps/producer/generate-event.ts';
import type { ProductPurchasedV2 } from '../../../src/domain/schemas/types.ts';
import { groupLag } from '../../support/group-progress.ts';
import { createPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.ts';
import { waitUntil } from '../../support/wait-until.ts';

const address = { street: '1 Test Way', city: 'Testville', country: 'US' };

/** One partition, produced before the consumer starts: the events are read as one batch. */
function oneBatch(count: number): { events: ProductPurchasedV2[]; messages: Message[] } {
  const events = Array.from({ length: count }, () => ({
    ...generateNewEvent(),
    shippingAddress: { ...address },
  }));
  return { events, messages: events.map((event) => ({ ...toEventMessage(event), partition: 0 })) };
}

async function refuseAddressOf(harness: PipelineHarness, eventId: string, sqlState: string) {
  await harness.db.schema.createTable('refused_address', (table) => table.string('event_id'));
  await harness.db('refused_address').insert({ event_id: eventId });
  await harness.db.raw(`
    CREATE FUNCTION refuse_marked_address() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM refused_address WHERE event_id = NEW.event_id) THEN
        RAISE EXCEPTION 'address refused by the test' USING ERRCODE = '${sqlState}';
      END IF;
      RETURN NEW;
    END $$`);
  await harness.db.raw(`
    CREATE TRIGGER refuse_marked_address BEFORE INSERT ON shipping_addresses
    FOR EACH ROW EXECUTE FUNCTION refuse_marked_address()`);
}

describe('one transaction per batch', function () {
  this.timeout(60_000);
  let harness: PipelineHarness;

  beforeEach(async () => {
    harness = await createPipelineHarness({ partitions: 1 });
  });
  afterEach(async () => {
    await harness.close();
  });

  it('keeps no event row of an event whose address Postgres refused; the rest of its batch is stored', async () => {
    const { events, messages } = oneBatch(20);
    const marked = events[7]!;
    await refuseAddressOf(harness, marked.eventId, '23514'); // check_violation: the event's data
    await harness.produce(messages);
    await harness.startConsumer();

    const [letter] = await harness.readDeadLetters(1);
    expect(letter?.headers?.[deadLetterHeaders.code]?.toString()).to.equal(
      'EVENT_REJECTED_BY_DATABASE',
    );
    await harness.waitForRows(events.length - 1);
    const stored = (
      await harness.db('product_events').select<{ event_id: string }[]>('event_id')
    ).map((row) => row.event_id);
    expect(stored, 'the refused event has a product_events row').to.not.include(marked.eventId);
    const others = events.filter((event) => event !== marked).map((event) => event.eventId);
    expect([...stored].sort()).to.deep.equal([...others].sort());
    expect(await harness.countRows('shipping_addresses')).to.equal(others.length);
    await harness.expectNothingLost();
  });

  it('stores no event of the batch when the address write fails for a reason no retry fixes', async () => {
    const { events, messages } = oneBatch(20);
    await refuseAddressOf(harness, events[7]!.eventId, '42501'); // insufficient_privilege: setup
    await harness.produce(messages);
    await harness.startConsumer();

    await waitUntil(
      'the consumer to stop on the fatal error',
      () => Promise.resolve(harness.fatalErrors.length > 0),
      20_000,
      50,
    );
    expect(await harness.countRows(), 'product_events rows of the failed batch').to.equal(0);
    expect(await harness.countRows('shipping_addresses')).to.equal(0);
    const [partition] = await groupLag(
      harness.kafka,
      harness.config.consumerGroupId,
      harness.config.topic,
    );
    expect(partition?.committed, 'committed offset').to.equal(-1);
  });
});
