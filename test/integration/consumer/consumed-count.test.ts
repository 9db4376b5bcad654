// product_events_consumed_total counts every message the consumer settled, also when the broker
// applied a batch's commit but its answer was lost (a coordinator failing over): nobody reads that
// batch again, so a count taken after the commit missed it for good, and the counter fell short of
// the rows stored. The batches come from a scripted port (test/support/scripted-messaging.ts).
import { expect } from 'chai';
import { createIngestMetrics } from '../../../src/apps/consumer/ingest-metrics.ts';
import { runConsumer } from '../../../src/apps/consumer/run-consumer.ts';
import { readConfig } from '../../../src/runtime/config.ts';
import { migratedDatabasePerTest } from '../../support/scratch-database.ts';
import { inboundMessages, scriptedMessaging } from '../../support/scripted-messaging.ts';
import { testLogger } from '../../support/pipeline-harness.ts';
import { exampleV1Event } from '../../unit/fixtures.ts';

const topic = 'orders';
const event = (eventId: string) => JSON.stringify({ ...exampleV1Event(), eventId });

describe('the consumed counter', () => {
  const scratch = migratedDatabasePerTest();

  it('counts a batch whose commit the broker applied though its answer was lost', async () => {
    const messaging = scriptedMessaging({
      topic,
      batches: [
        { partition: 0, messages: inboundMessages([event('evt_a'), event('evt_b')], 0) },
        // Read after the commit of offset 1, as the broker holds it.
        { partition: 0, messages: inboundMessages([event('evt_c')], 2) },
      ],
      commitAnswerLost: ['0:1'],
    });
    const metrics = createIngestMetrics(scratch.db);
    const fatal: unknown[] = [];
    const consumer = await runConsumer({
      config: readConfig({ KAFKA_TOPIC: topic }),
      messaging,
      db: scratch.db,
      logger: testLogger,
      metrics,
      onFatal: (error) => fatal.push(error),
    });
    await messaging.allHandled;
    await consumer.stop();

    expect(fatal).to.deep.equal([]);
    expect(messaging.commits).to.deep.equal(['0:1', '0:2']);
    const rows = await scratch.db('product_events').count<{ count: string }[]>({ count: '*' });
    expect(Number(rows[0]?.count)).to.equal(3);
    const consumed = await metrics.registry.getSingleMetric('product_events_consumed_total')?.get();
    expect(consumed?.values[0]?.value, 'messages counted').to.equal(3);
  });
});
