// The pipeline end to end on real Kafka and Postgres: events produced to the topic become rows
// equal to them field by field, exactly once, whatever the shape and however often they arrive.
import { expect } from 'chai';
import { generateNewEvent, generateOldEvent } from '../../../src/apps/producer/generate-event.ts';
import { toEventMessage } from '../../../src/apps/producer/event-message.ts';
import type { ProductPurchasedV2 } from '../../../src/domain/schemas/types.ts';
import {
  createIngestMetrics,
  type IngestMetrics,
} from '../../../src/apps/consumer/ingest-metrics.ts';
import { createPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.ts';
import { waitForGroupCaughtUp } from '../../support/lost-events.ts';
import { expectedRow, readRows } from '../../support/stored-rows.ts';

/** The oracle the fault tests use too: every column, money and instants exactly. */
async function expectRowsToEqualEvents(harness: PipelineHarness, events: ProductPurchasedV2[]) {
  const rows = await readRows(harness.db);
  for (const event of events)
    expect(rows.get(event.eventId), event.eventId).to.deep.equal(expectedRow(event));
}

async function updatedAtById(harness: PipelineHarness): Promise<Map<string, number>> {
  const rows = await harness
    .db('product_events')
    .select<{ event_id: string; updated_at: Date }[]>('event_id', 'updated_at');
  return new Map(rows.map((row) => [row.event_id, row.updated_at.getTime()]));
}

describe('the consumer pipeline', function () {
  this.timeout(120_000);
  let harness: PipelineHarness;

  beforeEach(async () => {
    harness = await createPipelineHarness();
  });
  afterEach(async () => {
    await harness.close();
  });

  it('stores original-shape events as rows equal field by field, with NULL new columns and no address', async () => {
    const events = Array.from({ length: 60 }, () => generateOldEvent());
    await harness.produceEvents(events);
    await harness.startConsumer();
    await harness.waitForRows(events.length);
    await harness.expectNothingLost();

    await expectRowsToEqualEvents(harness, events);
    expect(await harness.countRows('shipping_addresses')).to.equal(0);
  });

  it('stores new-shape events with their discount, tax and shipping address exactly', async () => {
    const events = Array.from({ length: 60 }, () => generateNewEvent());
    await harness.produceEvents(events);
    await harness.startConsumer();
    await harness.waitForRows(events.length);
    await harness.expectNothingLost();

    await expectRowsToEqualEvents(harness, events);
    const addresses = await harness.db<{ event_id: string }>('shipping_addresses').select('*');
    const withAddress = events.filter((event) => event.shippingAddress != null);
    expect(addresses).to.have.length(withAddress.length);
    for (const event of withAddress) {
      const address = addresses.find((row) => row.event_id === event.eventId);
      expect(address).to.deep.include({
        street: event.shippingAddress?.street,
        city: event.shippingAddress?.city,
        state: event.shippingAddress?.state ?? null,
        zip_code: event.shippingAddress?.zipCode ?? null,
        country: event.shippingAddress?.country,
      });
    }
  });

  it('stores a mixed stream of old and new shapes side by side', async () => {
    const events = Array.from({ length: 80 }, (_, i) =>
      i % 2 === 0 ? generateOldEvent() : generateNewEvent(),
    );
    await harness.produceEvents(events);
    await harness.startConsumer();
    await harness.waitForRows(events.length);
    await harness.expectNothingLost();

    await expectRowsToEqualEvents(harness, events);
  });

  it('stores every event of a stream that arrives a few at a time, batch after batch', async () => {
    // One partition, each chunk stored before the next is sent: many batches in a row, each one
    // starting where the commit of the one before it says. An offset committed past a batch's end
    // skips the first event of the next, and the check names it.
    await harness.startConsumer();
    for (let chunk = 0; chunk < 5; chunk += 1) {
      const events = Array.from({ length: 4 }, (_, i) =>
        i % 2 === 0 ? generateOldEvent() : generateNewEvent(),
      );
      await harness.produce(events.map((event) => ({ ...toEventMessage(event), partition: 0 })));
      await harness.waitForRows(harness.sentEventIds.size);
    }
    await harness.expectNothingLost();
  });

  it('adds no rows and changes none when the topic is consumed again from offset 0', async () => {
    const events = Array.from({ length: 40 }, () => generateNewEvent());
    await harness.produceEvents(events);
    await harness.startConsumer();
    await harness.waitForRows(events.length);
    await harness.expectNothingLost();
    const before = await updatedAtById(harness);
    const addressesBefore = await harness.countRows('shipping_addresses');
    await harness.stopConsumers();

    // A new group starts at the earliest offset: every event is delivered a second time.
    const replayGroup = `${harness.config.consumerGroupId}-replay`;
    await harness.startConsumer(replayGroup);
    await harness.expectNothingLost({ groupId: replayGroup });

    const after = await updatedAtById(harness);
    expect(after.size).to.equal(events.length);
    expect(await harness.countRows('shipping_addresses')).to.equal(addressesBefore);
    expect(after).to.deep.equal(before);
  });

  it('resumes where it left off after a restart, committing offsets only for stored events', async () => {
    const first = Array.from({ length: 30 }, () => generateOldEvent());
    await harness.produceEvents(first);
    await harness.startConsumer();
    await harness.waitForRows(first.length);
    // Caught up only: a commit past the end shows in the second half as the events it skipped.
    await waitForGroupCaughtUp(harness.kafka, harness.config.consumerGroupId, harness.config.topic);
    await harness.stopConsumers();

    const second = Array.from({ length: 30 }, () => generateNewEvent());
    await harness.produceEvents(second);
    expect(await harness.countRows()).to.equal(first.length);
    // The restarted consumer's own counters tell what it read: a consumer that went back to
    // offset 0 would store the same rows (the first events as duplicates), so rows alone cannot.
    const metrics = createIngestMetrics(harness.db);
    await harness.startConsumer(undefined, metrics);
    await harness.waitForRows(first.length + second.length);
    await harness.expectNothingLost();
    expect(await counterValue(metrics, 'product_events_consumed_total')).to.equal(second.length);
    const outcomes = await metrics.registry.getSingleMetric('product_events_outcomes_total')?.get();
    const byOutcome = (outcome: string) =>
      (outcomes?.values ?? [])
        .filter(({ labels }) => labels['outcome'] === outcome)
        .reduce((sum, { value }) => sum + value, 0);
    expect(byOutcome('stored')).to.equal(second.length);
    expect(byOutcome('duplicate')).to.equal(0);
  });
});

async function counterValue(metrics: IngestMetrics, name: string): Promise<number> {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  return (metric?.values ?? []).reduce((sum, { value }) => sum + value, 0);
}
