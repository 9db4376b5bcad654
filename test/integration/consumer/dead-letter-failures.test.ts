// Nothing stuck in silence, nothing looping: a dead-letter topic that is missing, too small or gone
// after the start, and a database rule that refuses every event. Each either stops the start with
// one line, degrades to a reference letter, or keeps its partition waiting (group session kept)
// until the cause is lifted, with a metric that says why.
import { expect } from 'chai';
import type { KafkaMessage } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createIngestMetrics,
  type IngestMetrics,
} from '../../../src/apps/consumer/ingest-metrics.ts';
import { generateNewEvent, generateOldEvent } from '../../../src/apps/producer/generate-event.ts';
import { referenceLetterHeaders } from '../../../src/pipeline/reference-letter.ts';
import { deadLetterHeaders } from '../../../src/pipeline/to-dead-letter.ts';
import { consumerProcesses, exitWithin } from '../../support/consumer-process.ts';
import { groupLag } from '../../support/group-progress.ts';
import { createPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.ts';
import { waitUntil } from '../../support/wait-until.ts';

const header = (message: KafkaMessage | undefined, name: string) =>
  message?.headers?.[name]?.toString();

/** How often the partition waited for `code` (product_events_partition_waits_total). */
async function waits(metrics: IngestMetrics, code: string, fatal: unknown[]): Promise<number> {
  if (fatal.length > 0) throw fatal[0]; // known at once: no need to wait for the timeout
  const metric = await metrics.registry
    .getSingleMetric('product_events_partition_waits_total')
    ?.get();
  return metric?.values.find((value) => value.labels['code'] === code)?.value ?? 0;
}

describe('dead-letter failures and database refusals', function () {
  this.timeout(90_000);
  let harness: PipelineHarness;
  const consumers = consumerProcesses(() => harness);

  beforeEach(async () => {
    harness = await createPipelineHarness({
      partitions: 1,
      env: { CONSUMER_SESSION_TIMEOUT_MS: '6000' },
    });
  });
  afterEach(async () => {
    await consumers.killAll();
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
  const deleteDeadLetterTopic = () =>
    withAdmin(async (admin) => {
      await admin.deleteTopics({ topics: [harness.config.dlqTopic] });
      await waitUntil(
        'the dead-letter topic to be gone',
        async () => !(await admin.listTopics()).includes(harness.config.dlqTopic),
      );
    });

  it('refuses to start, in one line and exit 1, without its dead-letter topic', async () => {
    await deleteDeadLetterTopic();
    const consumer = consumers.start();
    expect(await exitWithin(consumer, 60_000)).to.equal(1);
    const lines = consumer
      .output()
      .split('\n')
      .filter((line) => line.includes('DEAD_LETTER_TOPIC_UNUSABLE'));
    expect(lines, consumer.output()).to.have.length(1);
    expect(lines[0]).to.include(
      `dead-letter topic ${harness.config.dlqTopic} does not exist: create it (with max.message.bytes=`,
    );
    expect(lines[0]).to.include('or correct KAFKA_DLQ_TOPIC');
  });

  it('sends a dead letter too large for the dead-letter topic as a reference letter', async () => {
    // An operator's dead-letter topic that takes less than the source: 20 000 bytes.
    await withAdmin((admin) =>
      admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: 2, // TOPIC
            name: harness.config.dlqTopic,
            configEntries: [{ name: 'max.message.bytes', value: '20000' }],
          },
        ],
      }),
    );
    const large = Buffer.concat([Buffer.from('{"eventId": "'), Buffer.alloc(30_000, 0x61)]);
    const valid = generateNewEvent();
    await harness.produce([
      { key: 'user_1', value: Buffer.from('not json'), headers: { trace: 't1' } },
      { key: 'user_1', value: large, headers: { trace: 't2' } },
      { key: 'user_1', value: Buffer.from(JSON.stringify(valid)) },
    ]);
    await harness.startConsumer();
    await harness.waitForRows(1);
    const [small, reference] = await harness.readDeadLetters(2);

    expect(header(small, deadLetterHeaders.code)).to.equal('EVENT_MALFORMED');
    expect(small?.value?.toString()).to.equal('not json');
    expect(header(small, referenceLetterHeaders.reference)).to.equal(undefined);

    expect(reference?.value).to.equal(null);
    expect(reference?.key).to.equal(null);
    expect(header(reference, referenceLetterHeaders.reference)).to.equal('true');
    expect(header(reference, referenceLetterHeaders.originalBytes)).to.equal(
      String('user_1'.length + large.length + 'trace'.length + 't2'.length),
    );
    expect(header(reference, deadLetterHeaders.code)).to.equal('EVENT_MALFORMED');
    expect(header(reference, deadLetterHeaders.topic)).to.equal(harness.config.topic);
    expect(header(reference, deadLetterHeaders.partition)).to.equal('0');
    expect(header(reference, deadLetterHeaders.offset)).to.equal('1');
    expect(header(reference, deadLetterHeaders.reason)).to.be.a('string').and.not.equal('');
    expect(header(reference, 'trace')).to.equal(undefined);
    expect(harness.fatalErrors).to.deep.equal([]);
  });

  it('keeps its partition waiting, in its group, while the dead-letter topic is gone', async () => {
    const metrics = createIngestMetrics(harness.db);
    await harness.produceEvents([generateOldEvent()]);
    await harness.startConsumer(undefined, metrics);
    await harness.waitForRows(1);
    const memberIds = () =>
      withAdmin(async (admin) => {
        const { groups } = await admin.describeGroups([harness.config.consumerGroupId]);
        return groups[0]?.members.map((member) => member.memberId) ?? [];
      });
    const before = await memberIds();
    await deleteDeadLetterTopic();

    const after = generateOldEvent();
    await harness.produce([{ key: 'user_1', value: Buffer.from('not json') }]);
    await harness.produceEvents([after]);
    await waitUntil(
      'the partition to wait for the dead-letter topic',
      async () => (await waits(metrics, 'DEAD_LETTER_NOT_SENT', harness.fatalErrors)) >= 1,
    );
    // Longer than the session timeout (6 s): a member that stopped heartbeating would be replaced.
    await sleep(8_000);
    expect(await memberIds(), 'the group kept its member').to.deep.equal(before);
    const [partition] = await groupLag(
      harness.kafka,
      harness.config.consumerGroupId,
      harness.config.topic,
    );
    expect(partition?.committed, 'nothing committed past the unsent dead letter').to.equal(1);
    expect(harness.fatalErrors).to.deep.equal([]);

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
    const [letter] = await harness.readDeadLetters(1);
    expect(header(letter, deadLetterHeaders.offset)).to.equal('1');
    await harness.waitForRows(2);
    await waitUntil('the group to commit past the dead letter', async () => {
      const [now] = await groupLag(
        harness.kafka,
        harness.config.consumerGroupId,
        harness.config.topic,
      );
      return now?.committed === 3;
    });
    expect(harness.fatalErrors).to.deep.equal([]);
  });

  it('dead-letters nothing while a rule of the database refuses every event, and stores them once lifted', async () => {
    await harness.db.raw(`
      CREATE FUNCTION refuse_all() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'closed for maintenance'; END $$`);
    await harness.db.raw(`
      CREATE TRIGGER refuse_all BEFORE INSERT ON product_events
      FOR EACH ROW EXECUTE FUNCTION refuse_all()`);
    const metrics = createIngestMetrics(harness.db);
    const events = Array.from({ length: 4 }, () => generateOldEvent());
    await harness.produceEvents(events);
    await harness.startConsumer(undefined, metrics);

    await waitUntil(
      'the batch to be retried',
      async () => (await waits(metrics, 'DATABASE_REFUSES_EVERY_EVENT', harness.fatalErrors)) >= 2,
    );
    expect(await harness.deadLetterCount()).to.equal(0);
    expect(await harness.countRows()).to.equal(0);

    await harness.db.raw('DROP TRIGGER refuse_all ON product_events');
    await harness.waitForRows(events.length);
    expect(await harness.deadLetterCount()).to.equal(0);
    expect(harness.fatalErrors).to.deep.equal([]);
  });
});
