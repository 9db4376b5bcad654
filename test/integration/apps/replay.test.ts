// `npm run replay` as an operator runs it: after the v2 migration, re-reading the topic fills in
// the new columns of events an older consumer stored without them, under a group of its own.
import { expect } from 'chai';
import { generateNewEvent } from '../../../src/apps/producer/generate-event.ts';
import type { ProductPurchasedV2 } from '../../../src/domain/schemas/types.ts';
import { storeAsOlderConsumer } from '../../support/older-consumer.ts';
import { createPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.ts';
import { runScript } from '../../support/run-script.ts';

const withEverything = (): ProductPurchasedV2 => ({
  ...generateNewEvent(),
  discountCode: 'WELCOME10',
  discountAmount: 5,
  taxAmount: 2.5,
  shippingAddress: {
    street: 'Unter den Linden 6',
    city: 'Berlin',
    zipCode: '10117',
    country: 'Germany',
  },
});

describe('npm run replay', function () {
  this.timeout(120_000);
  let harness: PipelineHarness;

  beforeEach(async () => {
    harness = await createPipelineHarness({ migrate: false, partitions: 3 });
    await harness.db.migrate.up(); // the original schema, as the older consumer had it
  });
  afterEach(async () => {
    await harness.close();
  });

  async function runReplay(args: string[]) {
    const replay = runScript('src/apps/replay/main.ts', args, {
      DATABASE_URL: harness.databaseUrl,
      KAFKA_BROKERS: harness.config.kafkaBrokers.join(','),
      KAFKA_TOPIC: harness.config.topic,
      KAFKA_GROUP_ID: harness.config.consumerGroupId,
    });
    expect(await replay.exited, replay.output()).to.equal(0);
    return replay.output();
  }

  async function liveGroupOffsets() {
    const admin = harness.kafka.admin();
    await admin.connect();
    try {
      const [topic] = await admin.fetchOffsets({
        groupId: harness.config.consumerGroupId,
        topics: [harness.config.topic],
      });
      return topic?.partitions
        .map(({ partition, offset }) => ({ partition, offset }))
        .sort((a, b) => a.partition - b.partition);
    } finally {
      await admin.disconnect();
    }
  }

  it('backfills the v2 columns and addresses of rows an older consumer stored, leaving the live group alone', async () => {
    const startedAt = new Date(Date.now() - 1_000).toISOString();
    const events = Array.from({ length: 30 }, withEverything);
    await harness.produceEvents(events);
    await storeAsOlderConsumer(harness.db, events);
    // The older consumer's group had read everything.
    const admin = harness.kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(harness.config.topic);
    await admin.setOffsets({
      groupId: harness.config.consumerGroupId,
      topic: harness.config.topic,
      partitions: ends.map(({ partition, high }) => ({ partition, offset: high })),
    });
    await admin.disconnect();
    const liveBefore = await liveGroupOffsets();

    await harness.db.migrate.latest();
    const output = await runReplay(['--from', startedAt]);

    expect(output).to.include('replay done');
    const rows = await harness
      .db<Record<string, unknown>>('product_events')
      .select('discount_code', 'discount_amount', 'tax_amount');
    expect(rows).to.have.length(30);
    for (const row of rows)
      expect(row).to.deep.equal({
        discount_code: 'WELCOME10',
        discount_amount: '5.00',
        tax_amount: '2.50',
      });
    expect(await harness.countRows('shipping_addresses')).to.equal(30);
    expect(await liveGroupOffsets()).to.deep.equal(liveBefore);
  });

  it('replays only the range asked for, by partition and offset, and can be run again', async () => {
    const events = Array.from({ length: 40 }, withEverything);
    await harness.produceEvents(events);
    await storeAsOlderConsumer(harness.db, events);
    await harness.db.migrate.latest();

    await runReplay(['--from', '1:2', '--to', '1:5']);
    await runReplay(['--from', '1:2', '--to', '1:5']);

    const admin = harness.kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(harness.config.topic);
    await admin.disconnect();
    const inPartitionOne = Number(ends.find((p) => p.partition === 1)?.high ?? 0);
    expect(inPartitionOne, 'partition 1 must hold at least 5 events for this test').to.be.at.least(
      5,
    );
    expect(
      await harness
        .db('product_events')
        .whereNotNull('tax_amount')
        .count<{ count: string }[]>({ count: '*' }),
    ).to.deep.equal([{ count: '3' }]);
    expect(await harness.countRows('shipping_addresses')).to.equal(3);
  });

  it('refuses a range it cannot read, with a usage line', async () => {
    const replay = runScript('src/apps/replay/main.ts', ['--from', 'yesterday'], {});
    expect(await replay.exited).to.equal(2);
    expect(replay.output()).to.match(
      /--from must be an ISO time with zone.*\nusage: npm run replay/,
    );
  });
});
