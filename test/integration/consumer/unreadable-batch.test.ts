// How the consumer reacts when its Kafka client reports a record batch it cannot read (the port's
// PartitionBatch.unreadable): the messages before it are stored and committed as usual, then one
// error line, a metric and /readyz not ready name the stopped partition; other partitions go on.
// The batches come from a scripted port (test/support/scripted-messaging.ts), the database is real.
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import winston from 'winston';
import { createIngestMetrics } from '../../../src/apps/consumer/ingest-metrics.ts';
import { startOpsServer } from '../../../src/apps/consumer/ops-server.ts';
import { runConsumer } from '../../../src/apps/consumer/run-consumer.ts';
import { readConfig } from '../../../src/runtime/config.ts';
import { createLogger } from '../../../src/runtime/logger.ts';
import { migratedDatabasePerTest } from '../../support/scratch-database.ts';
import { inboundMessages, scriptedMessaging } from '../../support/scripted-messaging.ts';
import { exampleV1Event } from '../../unit/fixtures.ts';

const topic = 'orders';
const event = (eventId: string) => JSON.stringify({ ...exampleV1Event(), eventId });
const unreadable = { offset: '12', reason: 'zstd codec unknown to the client' };

/** A consumer logger whose JSON lines the test reads. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
    }
  });
  const logger = createLogger('info', 'json');
  logger.clear().add(new winston.transports.Stream({ stream }));
  return { logger, errors: () => lines.filter((line) => line['level'] === 'error') };
}

describe('a record batch the Kafka client cannot read', () => {
  const scratch = migratedDatabasePerTest();

  async function consume(
    messaging: ReturnType<typeof scriptedMessaging>,
    env: Record<string, string> = {},
  ) {
    const { logger, errors } = capturingLogger();
    const metrics = createIngestMetrics(scratch.db);
    const fatal: unknown[] = [];
    const consumer = await runConsumer({
      config: readConfig({ KAFKA_TOPIC: topic, ...env }),
      messaging,
      db: scratch.db,
      logger,
      metrics,
      onFatal: (error) => fatal.push(error),
    });
    await messaging.allHandled;
    const ops = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      db: scratch.db,
      status: consumer.status,
      metrics,
    });
    const get = async (path: string) => {
      const response = await fetch(`http://127.0.0.1:${ops.port}${path}`);
      return { status: response.status, body: await response.text() };
    };
    const readyz = await get('/readyz');
    const metricsText = (await get('/metrics')).body;
    await ops.close();
    await consumer.stop();
    expect(fatal, 'no fatal error').to.deep.equal([]);
    const rows = await scratch.db('product_events').pluck('event_id').orderBy('event_id');
    return { errors: errors(), readyz, metricsText, rows };
  }

  it('stores and commits the messages before it, then names the partition once: an error line, a metric, /readyz', async () => {
    const messaging = scriptedMessaging({
      topic,
      batches: [
        {
          partition: 1,
          messages: inboundMessages([event('evt_a'), event('evt_b')], 10),
          unreadable,
        },
        { partition: 0, messages: inboundMessages([event('evt_c')], 0) },
      ],
    });

    const { errors, readyz, metricsText, rows } = await consume(messaging);

    expect(rows, 'the messages before it and the other partition stored').to.deep.equal([
      'evt_a',
      'evt_b',
      'evt_c',
    ]);
    expect(messaging.commits).to.deep.equal(['1:11', '0:0']);
    expect(errors).to.have.length(1);
    expect(errors[0]).to.deep.include({
      code: 'KAFKA_BATCH_UNREADABLE',
      topic,
      partition: 1,
      offset: '12',
      reason: unreadable.reason,
    });
    expect(readyz.status).to.equal(503);
    const body = JSON.parse(readyz.body) as { problems: string[]; stoppedPartitions: unknown };
    expect(body.stoppedPartitions).to.deep.equal([{ partition: 1, offset: '12' }]);
    expect(body.problems.join('; ')).to.match(/partition 1 stopped at offset 12/);
    expect(metricsText).to.include('product_events_unreadable_batches_total{partition="1"} 1');
    expect(metricsText).to.include('product_events_partitions_stopped 1');
  });

  it('reports an unreadable batch with no message before it in the batch', async () => {
    const messaging = scriptedMessaging({
      topic,
      batches: [{ partition: 2, messages: [], unreadable }],
    });

    const { errors, readyz } = await consume(messaging);

    expect(messaging.commits).to.deep.equal([]);
    expect(errors.map((line) => [line['partition'], line['offset']])).to.deep.equal([[2, '12']]);
    expect(readyz.status).to.equal(503);
  });

  it('writes one line for a stop however often the client hands it over', async () => {
    const messaging = scriptedMessaging({
      topic,
      batches: [
        { partition: 1, messages: inboundMessages([event('evt_a')], 11), unreadable },
        { partition: 1, messages: [], unreadable }, // after a rejoin, say
      ],
    });

    const { errors, metricsText } = await consume(messaging);

    expect(errors).to.have.length(1);
    expect(metricsText).to.include('product_events_unreadable_batches_total{partition="1"} 1');
  });

  it('stores a batch in slices of CONSUMER_SLICE_MAX_BYTES, heartbeating between them', async () => {
    const values = [event('evt_a'), event('evt_b'), event('evt_c')];
    const messaging = scriptedMessaging({
      topic,
      batches: [{ partition: 0, messages: inboundMessages(values) }],
    });

    const sliceMaxBytes = String(Buffer.byteLength(values[0] ?? ''));
    const { rows } = await consume(messaging, { CONSUMER_SLICE_MAX_BYTES: sliceMaxBytes });

    expect(rows).to.have.length(3);
    expect(messaging.heartbeats.count, 'one heartbeat between each two slices').to.equal(2);
    expect(messaging.commits).to.deep.equal(['0:2']);
  });
});
