// The operator's endpoint on a running consumer: health, readiness and Prometheus metrics that
// count what really happened to the events.
import { expect } from 'chai';
import { createIngestMetrics } from '../../../src/apps/consumer/ingest-metrics.ts';
import { startOpsServer, type OpsServer } from '../../../src/apps/consumer/ops-server.ts';
import { createConsumerStatusTracker } from '../../../src/apps/consumer/consumer-status.ts';
import { generateNewEvent, generateOldEvent } from '../../../src/apps/producer/generate-event.ts';
import { createPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.ts';
import { waitUntil } from '../../support/wait-until.ts';

const get = async (server: OpsServer, path: string) => {
  const response = await fetch(`http://127.0.0.1:${server.port}${path}`);
  return { status: response.status, body: await response.text() };
};

describe('the ops endpoint', function () {
  this.timeout(120_000);
  let harness: PipelineHarness;
  let server: OpsServer | undefined;

  beforeEach(async () => {
    harness = await createPipelineHarness();
  });
  afterEach(async () => {
    await server?.close();
    await harness.close();
  });

  it('reports health, readiness with the partitions held, and metrics of stored, skipped and dead-lettered events', async () => {
    const metrics = createIngestMetrics(harness.db);
    const consumer = await harness.startConsumer(undefined, metrics);
    server = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      db: harness.db,
      status: consumer.status,
      metrics,
    });

    await harness.produceEvents([
      ...Array.from({ length: 7 }, () => generateOldEvent()),
      // generateNewEvent leaves each new field out at random: 1 time in 50 it sends none of them,
      // the event is an original-shape one, and the counts read 8 and 0 instead of 7 and 1.
      { ...generateNewEvent(), taxAmount: 1.25 },
    ]);
    await harness.produce([
      { key: 'k', value: Buffer.from('not json') },
      {
        key: 'k',
        value: Buffer.from(JSON.stringify({ ...generateOldEvent(), eventType: 'product.viewed' })),
      },
    ]);
    await harness.waitForRows(8);

    expect(await get(server, '/healthz')).to.deep.equal({ status: 200, body: '{"status":"ok"}' });
    const ready = await waitUntil('ready', async () => {
      const response = await get(server as OpsServer, '/readyz');
      return response.status === 200 ? response : undefined;
    });
    expect(JSON.parse(ready.body)).to.deep.include({
      ready: true,
      partitions: [0, 1, 2],
      database: true,
    });

    const text = await waitUntil('metrics of 10 messages', async () => {
      const { body } = await get(server as OpsServer, '/metrics');
      return body.includes('product_events_consumed_total 10') ? body : undefined;
    });
    expect(text).to.include(
      'product_events_outcomes_total{outcome="stored",schema_version="1",reason=""} 7',
    );
    expect(text).to.include(
      'product_events_outcomes_total{outcome="stored",schema_version="2",reason=""} 1',
    );
    expect(text).to.include(
      'product_events_outcomes_total{outcome="skipped",schema_version="",reason="other-event-type"} 1',
    );
    expect(text).to.include(
      'product_events_outcomes_total{outcome="dead_lettered",schema_version="",reason="EVENT_MALFORMED"} 1',
    );
    expect(text).to.match(/product_events_consumer_lag\{partition="\d"\} 0/);
    expect(text).to.match(/product_events_db_pool_connections\{state="used"\} \d/);
    expect(text).to.include('process_resident_memory_bytes');
    expect(await get(server, '/nothing')).to.have.property('status', 404);
  });

  it('is not ready, and says why, before the consumer has joined its group', async () => {
    server = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      db: harness.db,
      status: createConsumerStatusTracker(),
      metrics: createIngestMetrics(harness.db),
    });
    const { status, body } = await get(server, '/readyz');
    expect(status).to.equal(503);
    expect(JSON.parse(body)).to.deep.include({
      ready: false,
      problems: ['not in the consumer group', 'no partitions assigned'],
    });
  });
});
