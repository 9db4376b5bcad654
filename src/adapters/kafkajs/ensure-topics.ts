// Topics are created by this admin step, never by the broker on first use: an auto-created topic
// gets the broker's default partition count and the typo in a topic name goes unnoticed.
import type { Kafka } from 'kafkajs';

export interface TopicSpec {
  readonly topic: string;
  readonly numPartitions: number;
  readonly configEntries?: readonly { readonly name: string; readonly value: string }[];
}

/** The service's two topics. A dead letter is its original message plus headers, so the
 * dead-letter topic takes messages larger than the broker's 1 MiB default. */
export function serviceTopics(config: {
  readonly topic: string;
  readonly dlqTopic: string;
  readonly topicPartitions: number;
}): TopicSpec[] {
  return [
    { topic: config.topic, numPartitions: config.topicPartitions },
    {
      topic: config.dlqTopic,
      numPartitions: config.topicPartitions,
      configEntries: [{ name: 'max.message.bytes', value: String(2 * 1024 * 1024) }],
    },
  ];
}

/** Creates the topics that do not exist yet; returns the names it created. */
export async function ensureTopics(kafka: Kafka, topics: readonly TopicSpec[]): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter(({ topic }) => !existing.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map(({ topic, numPartitions, configEntries }) => ({
          topic,
          numPartitions,
          replicationFactor: -1,
          configEntries: [...(configEntries ?? [])],
        })),
      });
    }
    return missing.map(({ topic }) => topic);
  } finally {
    await admin.disconnect();
  }
}
