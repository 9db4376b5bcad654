// readRanges (replay and dead-letter redrive) on the real broker, through the port with the client
// KAFKA_CLIENT picks (the suite runs on each): a range ends where it says. A
// fetch returns whatever the partition holds, so it often carries messages at or past the end;
// those must be neither handled nor committed, or the next run (which starts at the committed
// offset) skips them for good.
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Kafka } from 'kafkajs';
import { createMessaging } from '../../../src/adapters/create-messaging.ts';
import { createKafka } from '../../../src/adapters/kafkajs/kafka-client.ts';
import type { Messaging, PartitionRange } from '../../../src/messaging/port.ts';
import { readConfig } from '../../../src/runtime/config.ts';
import { testLogger } from '../../support/pipeline-harness.ts';
import { testServices } from '../../support/services.ts';

describe('readRanges', function () {
  this.timeout(120_000);
  let kafka: Kafka;
  let messaging: Messaging;
  const topics: string[] = [];

  before(async () => {
    const { kafkaBrokers } = await testServices();
    kafka = createKafka({ kafkaBrokers, kafkaClientId: 'it-read-range' }, testLogger);
    messaging = createMessaging(
      readConfig({
        KAFKA_BROKERS: kafkaBrokers.join(','),
        KAFKA_CLIENT: process.env['KAFKA_CLIENT'],
      }),
      testLogger,
    );
  });
  after(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  });

  /** A one-partition topic holding `count` messages, their values their offsets. */
  const topicWith = async (count: number) => {
    const topic = `it-range-${randomBytes(5).toString('hex')}`;
    topics.push(topic);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    await append(topic, 0, count);
    return topic;
  };
  const append = async (topic: string, from: number, count: number) => {
    const producer = kafka.producer();
    await producer.connect();
    const values = Array.from({ length: count }, (_, index) => ({ value: String(from + index) }));
    await producer.send({ topic, acks: -1, messages: values });
    await producer.disconnect();
  };
  const committed = async (groupId: string, topic: string) => {
    const admin = kafka.admin();
    await admin.connect();
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    await admin.disconnect();
    return Number(offsets?.partitions[0]?.offset);
  };
  /** Reads the range to its end; returns the offsets handed to `handle`. */
  const read = async (topic: string, groupId: string, range: PartitionRange) => {
    const handled: number[] = [];
    const reader = await messaging.readRanges({
      topic,
      groupId,
      ranges: [range],
      handle: (_partition, messages, control) => {
        handled.push(...messages.map((message) => Number(message.offset)));
        return control.commit();
      },
    });
    await reader.finished;
    await reader.stop();
    return handled;
  };
  const offsets = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, index) => from + index);

  it('commits the range end, not the last offset of a fetch that reaches past it', async () => {
    const topic = await topicWith(10); // one fetch returns all ten
    const groupId = `it-range-${randomBytes(4).toString('hex')}`;
    expect(await read(topic, groupId, { partition: 0, start: 2n, end: 6n })).to.deep.equal(
      offsets(2, 6),
    );
    expect(await committed(groupId, topic), 'committed offset').to.equal(6);
  });

  it('leaves messages appended after the end was fixed (a redrive) for the next run', async () => {
    const topic = await topicWith(5);
    const groupId = `it-range-${randomBytes(4).toString('hex')}`;
    // As redrive does: the end is the topic's end when it starts; letters keep arriving after it.
    const end = 5n;
    await append(topic, 5, 5);
    expect(await read(topic, groupId, { partition: 0, start: 0n, end })).to.deep.equal(
      offsets(0, 5),
    );
    expect(await committed(groupId, topic), 'committed offset').to.equal(5);
    // The next run starts where this one committed, and handles every appended message.
    const next = await read(topic, groupId, { partition: 0, start: 5n, end: 10n });
    expect(next).to.deep.equal(offsets(5, 10));
    expect(await committed(groupId, topic), 'committed offset after the next run').to.equal(10);
  });
});
