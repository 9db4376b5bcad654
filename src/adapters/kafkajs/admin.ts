// The port's admin on kafkajs: the topics made and removed, where partitions begin and end,
// offsets by time, a group's commits, a topic's size limit.
import type { ConfigResourceTypes, Kafka } from 'kafkajs';
import { maxMessageBytesConfig, parseMaxMessageBytes } from '../../messaging/max-message-bytes.ts';
import type { Admin } from '../../messaging/port.ts';

const topicResource = 2 as ConfigResourceTypes; // ConfigResourceTypes.TOPIC

const leaderWaitMs = 30_000;

const notHostedYet = new Set([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
]);

/**
 * Whether every partition of the new topics is there: the metadata names a leader for each, and
 * each leader answers for its partition's log (the metadata can name a leader before it hosts the
 * partition, and a send right then fails).
 */
async function everyPartitionHosted(
  admin: ReturnType<Kafka['admin']>,
  topics: readonly { readonly topic: string; readonly numPartitions: number }[],
): Promise<boolean> {
  try {
    const { topics: found } = await admin.fetchTopicMetadata({
      topics: topics.map(({ topic }) => topic),
    });
    for (const { topic, numPartitions } of topics) {
      const partitions = found.find((one) => one.name === topic)?.partitions ?? [];
      if (partitions.length < numPartitions || partitions.some((p) => p.leader < 0)) return false;
      if ((await admin.fetchTopicOffsets(topic)).length < numPartitions) return false;
    }
    return true;
  } catch (error) {
    // Not known to the broker yet: asked again. Anything else is the caller's to hear.
    if (notHostedYet.has(String((error as { type?: unknown }).type))) return false;
    throw error;
  }
}

async function untilEveryPartitionHosted(
  admin: ReturnType<Kafka['admin']>,
  topics: readonly { readonly topic: string; readonly numPartitions: number }[],
): Promise<void> {
  const giveUpAt = Date.now() + leaderWaitMs;
  while (!(await everyPartitionHosted(admin, topics))) {
    if (Date.now() > giveUpAt) {
      const names = topics.map(({ topic }) => topic).join(', ');
      throw new Error(`topics ${names} are not hosted by their leaders after ${leaderWaitMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function connectAdmin(kafka: Kafka): Promise<Admin> {
  const admin = kafka.admin();
  await admin.connect();
  return {
    async createTopics(topics) {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter(({ topic }) => !existing.has(topic));
      if (missing.length > 0) {
        await admin.createTopics({
          // kafkajs's own wait asks the metadata once the topic is created and fails, not retries,
          // when the broker does not host it yet (UNKNOWN_TOPIC_OR_PARTITION, seen under load).
          waitForLeaders: false,
          topics: missing.map(({ topic, numPartitions, configEntries }) => ({
            topic,
            numPartitions,
            replicationFactor: -1,
            configEntries: [...(configEntries ?? [])],
          })),
        });
        await untilEveryPartitionHosted(admin, missing);
      }
      return missing.map(({ topic }) => topic);
    },
    async deleteTopics(topics) {
      const existing = new Set(await admin.listTopics());
      const present = topics.filter((topic) => existing.has(topic));
      if (present.length > 0) await admin.deleteTopics({ topics: present });
    },
    async partitionOffsets(topic) {
      const partitions = await admin.fetchTopicOffsets(topic);
      return partitions.map(({ partition, low, high }) => ({
        partition,
        low: BigInt(low),
        high: BigInt(high),
      }));
    },
    async offsetsAtTime(topic, epochMs) {
      const entries = await admin.fetchTopicOffsetsByTimestamp(topic, epochMs);
      // -1: no message at or after that time.
      return entries.map(({ partition, offset }) => ({
        partition,
        offset: offset === '-1' ? undefined : BigInt(offset),
      }));
    },
    async topicMaxMessageBytes(topic) {
      // Asked first: describing a missing topic's configs fails with a retriable error.
      if (!(await admin.listTopics()).includes(topic)) return undefined;
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        // kafkajs's enum is not among the names Node finds in its CommonJS exports.
        resources: [{ type: topicResource, name: topic, configNames: [maxMessageBytesConfig] }],
      });
      const entry = resources[0]?.configEntries.find(
        ({ configName }) => configName === maxMessageBytesConfig,
      );
      return parseMaxMessageBytes(topic, entry?.configValue);
    },
    async committedOffsets(groupId, topic) {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      // -1: the group has committed nothing on that partition.
      return new Map(
        (committed?.partitions ?? [])
          .filter(({ offset }) => BigInt(offset) >= 0n)
          .map(({ partition, offset }) => [partition, BigInt(offset)]),
      );
    },
    deleteGroup: (groupId) => admin.deleteGroups([groupId]).then(() => undefined),
    disconnect: () => admin.disconnect(),
  };
}
