// The Kafka port as the integration tests drive it: on the client KAFKA_CLIENT picks (the suite
// runs once on each), with kafkajs beside it to set up topics, send raw messages and read committed
// offsets, so each test also checks that the two clients read each other's records.
import { randomBytes } from 'node:crypto';
import type { Kafka, Message } from 'kafkajs';
import { createMessaging } from '../../src/adapters/create-messaging.ts';
import type { GroupConsumerOptions, Messaging } from '../../src/messaging/port.ts';
import { readConfig } from '../../src/runtime/config.ts';
import { referenceKafka } from './reference-kafkajs.ts';
import { testLogger } from './test-logger.ts';
import { testServices } from './services.ts';
import { waitForTopicsReady } from './topics-ready.ts';

export interface PortUnderTest {
  readonly messaging: Messaging;
  /** A fresh topic (deleted by close()) holding `messages`, sent with acks from all replicas. */
  topic(
    prefix: string,
    partitions: number,
    messages?: Message[],
    configs?: Readonly<Record<string, string>>,
  ): Promise<string>;
  send(topic: string, messages: Message[]): Promise<void>;
  /** The group's committed offset per partition; -1 where it committed none. */
  committed(groupId: string, topic: string): Promise<Map<number, number>>;
  close(): Promise<void>;
}

/** A group consumer's options that only handle batches: the group is named after the topic. */
export const handlingOnly = (
  topic: string,
  handle: GroupConsumerOptions['handle'],
): GroupConsumerOptions => ({
  topic,
  groupId: topic,
  sessionTimeoutMs: 10_000,
  partitionsConsumedConcurrently: 3,
  fromBeginning: true,
  restartOnFailure: () => true,
  onJoined: () => undefined,
  onLeft: () => undefined,
  onCrash: () => undefined,
  handle,
});

export async function portUnderTest(): Promise<PortUnderTest> {
  const { kafkaBrokers } = await testServices();
  const config = readConfig({
    KAFKA_BROKERS: kafkaBrokers.join(','),
    KAFKA_CLIENT: process.env['KAFKA_CLIENT'],
  });
  const kafka: Kafka = referenceKafka(config, testLogger);
  const topics: string[] = [];
  const withAdmin = async <T>(work: (admin: ReturnType<Kafka['admin']>) => Promise<T>) => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return await work(admin);
    } finally {
      await admin.disconnect();
    }
  };
  const send = async (topic: string, messages: Message[]) => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages });
    await producer.disconnect();
  };

  return {
    messaging: await createMessaging(config, testLogger),
    send,
    async topic(prefix, partitions, messages = [], configs = {}) {
      const topic = `${prefix}-${randomBytes(5).toString('hex')}`;
      topics.push(topic);
      const configEntries = Object.entries(configs).map(([name, value]) => ({ name, value }));
      await withAdmin((admin) =>
        admin.createTopics({
          topics: [{ topic, numPartitions: partitions, configEntries }],
          waitForLeaders: false, // waitForTopicsReady below waits; kafkajs's own wait throws under load
        }),
      );
      await waitForTopicsReady(kafka, [{ topic, numPartitions: partitions }]);
      if (messages.length > 0) await send(topic, messages);
      return topic;
    },
    committed: (groupId, topic) =>
      withAdmin(async (admin) => {
        const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
        return new Map(
          (offsets?.partitions ?? []).map(({ partition, offset }) => [partition, Number(offset)]),
        );
      }),
    close: () => withAdmin((admin) => admin.deleteTopics({ topics }).catch(() => undefined)),
  };
}
