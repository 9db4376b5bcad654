// Readiness per partition, from the outside: a partition held by a dead letter that cannot be sent
// has its lag from the broker though nothing was ever stored there, makes /readyz answer 503 naming
// it once it has been behind without progress for CONSUMER_STUCK_AFTER_MS, and ready again once
// it moves; the other partitions stay as they are.
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import {
  createIngestMetrics,
  type IngestMetrics,
} from '../../../src/apps/consumer/ingest-metrics.ts';
import { startOpsServer, type OpsServer } from '../../../src/apps/consumer/ops-server.ts';
import { toEventMessage } from '../../../src/apps/producer/event-message.ts';
import { generateOldEvent } from '../../../src/apps/producer/generate-event.ts';
import { runJavaProducer } from '../../support/java-producer/java-producer.ts';
import { createPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.ts';
import { waitUntil } from '../../support/wait-until.ts';

const stuckAfterMs = 3_000;

interface Readiness {
  readonly ready: boolean;
  readonly problems: string[];
  readonly stuckPartitions: { topic: string; partition: number; lag: number; since: string }[];
}

const get = async (server: OpsServer, path: string) => {
  const response = await fetch(`http://127.0.0.1:${server.port}${path}`);
  return { status: response.status, body: await response.text() };
};

/** The value of `name{partition="…"}` in the metrics text; undefined: no such series. */
const partitionSeries = (text: string, name: string, partition: number): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{partition="${partition}"} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
};

async function waits(metrics: IngestMetrics, code: string): Promise<number> {
  const metric = await metrics.registry
    .getSingleMetric('product_events_partition_waits_total')
    ?.get();
  return metric?.values.find((value) => value.labels['code'] === code)?.value ?? 0;
}

describe('readiness per partition', function () {
  this.timeout(120_000);
  let harness: PipelineHarness;
  let server: OpsServer | undefined;

  beforeEach(async () => {
    harness = await createPipelineHarness({
      partitions: 3,
      env: { CONSUMER_STUCK_AFTER_MS: String(stuckAfterMs), CONSUMER_SESSION_TIMEOUT_MS: '6000' },
    });
  });
  afterEach(async () => {
    await server?.close();
    await harness.close();
  });

  const withAdmin = async <T>(
    work: (admin: ReturnType<PipelineHarness['kafka']['admin']>) => Promise<T>,
  ) => {
    const admin = harness.kafka.admin();
    await admin.connect();
    try {
      return await work(admin);
    } finally {
      await admin.disconnect();
    }
  };

  it('answers 503 naming a partition stuck on an unsent dead letter, lag counted though nothing was stored there, and ready once it moves', async () => {
    const metrics = createIngestMetrics(harness.db);
    const consumer = await harness.startConsumer(undefined, metrics);
    const ops = (server = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      db: harness.db,
      status: consumer.status,
      metrics,
    }));
    const readiness = async () => {
      if (harness.fatalErrors.length > 0) throw harness.fatalErrors[0];
      const { status, body } = await get(ops, '/readyz');
      return { status, body: JSON.parse(body) as Readiness };
    };
    await waitUntil('ready', async () => (await readiness()).status === 200);
    // Assigned, nothing ever stored: a series each, from the broker's offsets (read at the join).
    const before = await waitUntil(
      'a lag series for each partition',
      async () => {
        const { body } = await get(ops, '/metrics');
        return [0, 1, 2].every(
          (partition) =>
            partitionSeries(body, 'product_events_consumer_lag', partition) !== undefined,
        )
          ? body
          : undefined;
      },
      10_000,
    );
    for (const partition of [0, 1, 2]) {
      expect(partitionSeries(before, 'product_events_consumer_lag', partition)).to.equal(0);
      expect(partitionSeries(before, 'product_events_partition_stuck', partition)).to.equal(0);
    }

    await withAdmin(async (admin) => {
      await admin.deleteTopics({ topics: [harness.config.dlqTopic] });
      await waitUntil(
        'the dead-letter topic to be gone',
        async () => !(await admin.listTopics()).includes(harness.config.dlqTopic),
      );
    });
    const events = Array.from({ length: 10 }, () => generateOldEvent());
    await harness.produce([
      { key: 'user_1', value: Buffer.from('not json'), partition: 0 },
      ...events.map((event) => ({ ...toEventMessage(event), partition: 0 })),
    ]);
    // Stuck from here: its first message can never be settled while the topic is gone.
    const producedAt = Date.now();
    const notReady = await waitUntil('/readyz to name the stuck partition', async () => {
      const answer = await readiness();
      return answer.status === 503 && answer.body.stuckPartitions.length > 0 ? answer : undefined;
    });
    const notReadyAt = Date.now();
    console.log(
      `      /readyz 503 ${notReadyAt - producedAt} ms after the partition got stuck ` +
        `(CONSUMER_STUCK_AFTER_MS ${stuckAfterMs})`,
    );
    const [stuck] = notReady.body.stuckPartitions;
    expect(notReady.body.stuckPartitions).to.have.length(1);
    expect(stuck).to.deep.include({ topic: harness.config.topic, partition: 0, lag: 11 });
    expect(
      notReadyAt - Date.parse(stuck?.since ?? ''),
      'stuck only after the period',
    ).to.be.at.least(stuckAfterMs);
    // Within the period and a few seconds (generous: a loaded machine), not "some time".
    expect(notReadyAt - producedAt).to.be.below(stuckAfterMs + 15_000);
    expect(notReady.body.problems).to.include(
      `partition 0 of ${harness.config.topic} stuck: 11 behind, no progress since ${stuck?.since}`,
    );
    const during = (await get(ops, '/metrics')).body;
    expect(partitionSeries(during, 'product_events_consumer_lag', 0), 'no batch done').to.equal(11);
    expect(partitionSeries(during, 'product_events_partition_stuck', 0)).to.equal(1);
    expect(partitionSeries(during, 'product_events_partition_stuck', 1)).to.equal(0);
    // The cause, as the service names it: the batch retried for its dead letter.
    await waitUntil('the partition to wait for its dead letter', async () => {
      if (harness.fatalErrors.length > 0) throw harness.fatalErrors[0];
      return (await waits(metrics, 'DEAD_LETTER_NOT_SENT')) >= 1;
    });

    await withAdmin((admin) =>
      waitUntil('the dead-letter topic to be created again', () =>
        admin
          .createTopics({
            topics: [{ topic: harness.config.dlqTopic, numPartitions: 1 }],
            waitForLeaders: true,
          })
          .catch(() => false)
          // Created by an earlier try whose wait for leaders failed: createTopics says false now.
          .then(async (created) =>
            created ? true : (await admin.listTopics()).includes(harness.config.dlqTopic),
          ),
      ),
    );
    await harness.waitForRows(events.length);
    const ready = await waitUntil('ready again', async () => {
      const answer = await readiness();
      return answer.status === 200 ? answer : undefined;
    });
    expect(ready.body).to.deep.include({ ready: true, stuckPartitions: [], lag: 0 });
    const after = (await get(ops, '/metrics')).body;
    expect(partitionSeries(after, 'product_events_consumer_lag', 0)).to.equal(0);
    expect(partitionSeries(after, 'product_events_partition_stuck', 0)).to.equal(0);
  });

  it('is not behind, nor stuck, idle after a transaction whose commit marker ends the partition', async () => {
    const event = generateOldEvent();
    await runJavaProducer({
      bootstrapServers: harness.config.kafkaBrokers.join(','),
      topic: harness.config.topic,
      producers: [{ transactionalId: `${harness.config.consumerGroupId}-tx` }],
      steps: [
        { producer: 0, op: 'begin' },
        {
          producer: 0,
          op: 'send',
          records: [{ key: event.userId, value: JSON.stringify(event), partition: 0 }],
        },
        { producer: 0, op: 'commit' },
      ],
    });
    const consumer = await harness.startConsumer();
    await harness.waitForRows(1);
    // Past the stuck period, with the broker's offsets read several times meanwhile.
    await sleep(2 * stuckAfterMs);
    expect(consumer.status.snapshot()).to.deep.include({
      lag: 0,
      stuck: false,
      lagByPartition: [
        { partition: 0, lag: 0 },
        { partition: 1, lag: 0 },
        { partition: 2, lag: 0 },
      ],
    });
  });
});
