// Creates test topics through the port's admin (as `stack:up` does, on the client the config
// names) and returns only once every partition can be produced to. Creation that waits for leaders
// is not enough under load: the metadata names a leader before that broker hosts the partition,
// and a send right then fails with "This server does not host this topic-partition"
// (UNKNOWN_TOPIC_OR_PARTITION). Listing a partition's offsets is answered by its leader, from the
// log itself, so it succeeds only once the partition is really there.
import type { Kafka } from 'kafkajs';
import { createMessaging } from '../../src/adapters/create-messaging.ts';
import type { TopicSpec } from '../../src/messaging/port.ts';
import { testLogger } from './test-logger.ts';
import { referenceKafka } from './reference-kafkajs.ts';
import { waitUntil } from './wait-until.ts';

type KafkaAdmin = ReturnType<Kafka['admin']>;

/** Whether every partition of the topic has a leader that answers for it. */
async function everyPartitionLed(admin: KafkaAdmin, topic: string, partitions: number) {
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const metadata = topics[0]?.partitions ?? [];
    const unled = metadata.filter((p) => p.leader < 0 || p.partitionErrorCode !== 0);
    if (metadata.length < partitions || unled.length > 0) return false;
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.length === metadata.length;
  } catch {
    return false; // not there yet: the metadata or the leader does not know the topic
  }
}

/** Waits until every partition of each topic has a leader that hosts it. */
export async function waitForTopicsReady(
  kafka: Kafka,
  topics: readonly Pick<TopicSpec, 'topic' | 'numPartitions'>[],
  timeoutMs = 60_000,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const { topic, numPartitions } of topics) {
      await waitUntil(
        `every partition of ${topic} to have a leader that hosts it`,
        async () => everyPartitionLed(admin, topic, numPartitions),
        timeoutMs,
        100,
      );
    }
  } finally {
    await admin.disconnect();
  }
}

/** The settings a Messaging is built from (readConfig gives them all). */
export type TopicsConfig = Parameters<typeof createMessaging>[0];

/**
 * Creates the topics that do not exist through the port's admin, returning once each topic (new
 * or not) can be produced to on every partition; returns the names it created.
 */
export async function ensureReadyTopics(
  config: TopicsConfig,
  topics: readonly TopicSpec[],
): Promise<string[]> {
  const admin = await (await createMessaging(config, testLogger)).connectAdmin();
  let created: string[];
  try {
    created = await admin.createTopics(topics);
  } finally {
    await admin.disconnect();
  }
  await waitForTopicsReady(referenceKafka(config, testLogger), topics);
  return created;
}
