// The port's admin on @platformatic/kafka: the topics made and removed, where partitions begin and
// end, offsets by time, a group's commits, a topic's size limit.
import {
  Admin as KafkaAdmin,
  ConfigResourceTypes,
  ListOffsetTimestamps,
} from '@platformatic/kafka';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, PartitionOffsets, TopicSpec } from '../../messaging/port.ts';
import { maxMessageBytesConfig, parseMaxMessageBytes } from '../../messaging/max-message-bytes.ts';
import type { ClientOptions } from './client-options.ts';

/** How long createTopics waits for the new topics' leaders, as kafkajs's createTopics does. */
const leaderWaitMs = 30_000;

export function connectAdmin(client: ClientOptions): Promise<Admin> {
  const admin = new KafkaAdmin(client);

  /** Per partition of the topic, the offset the broker lists for `timestamp`. */
  async function listOffsets(topic: string, timestamp: bigint): Promise<Map<number, bigint>> {
    const metadata = await admin.metadata({ topics: [topic] });
    const partitionsCount = metadata.topics.get(topic)?.partitionsCount ?? 0;
    const partitions = Array.from({ length: partitionsCount }, (_, partitionIndex) => ({
      partitionIndex,
      timestamp,
    }));
    const [listed] = await admin.listOffsets({ topics: [{ name: topic, partitions }] });
    return new Map(
      (listed?.partitions ?? []).map(({ partitionIndex, offset }) => [partitionIndex, offset]),
    );
  }

  /** Whether the metadata names a leader for each partition of each topic (kafkajs's waitForLeaders). */
  async function everyPartitionLed(topics: readonly TopicSpec[]): Promise<boolean> {
    const { topics: known } = await admin.metadata({
      topics: topics.map(({ topic }) => topic),
      forceUpdate: true,
    });
    return topics.every(({ topic, numPartitions }) => {
      const partitions = known.get(topic)?.partitions ?? [];
      return partitions.length >= numPartitions && partitions.every(({ leader }) => leader >= 0);
    });
  }

  return Promise.resolve({
    async createTopics(topics) {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter(({ topic }) => !existing.has(topic));
      // One request per topic: the client applies a request's configs to all of its topics.
      for (const { topic, numPartitions, configEntries } of missing) {
        await admin.createTopics({
          topics: [topic],
          partitions: numPartitions,
          replicas: -1,
          configs: [...(configEntries ?? [])],
        });
      }
      const deadline = Date.now() + leaderWaitMs;
      while (missing.length > 0 && !(await everyPartitionLed(missing).catch(() => false))) {
        if (Date.now() > deadline)
          throw new Error(
            `no leader for every partition of ${missing.map(({ topic }) => topic).join(', ')} within ${leaderWaitMs / 1000} s`,
          );
        await sleep(100);
      }
      return missing.map(({ topic }) => topic);
    },
    async deleteTopics(topics) {
      const existing = new Set(await admin.listTopics());
      const present = topics.filter((topic) => existing.has(topic));
      if (present.length > 0) await admin.deleteTopics({ topics: present });
    },
    async partitionOffsets(topic) {
      const low = await listOffsets(topic, ListOffsetTimestamps.EARLIEST);
      const high = await listOffsets(topic, ListOffsetTimestamps.LATEST);
      const offsets: PartitionOffsets[] = [];
      for (const [partition, start] of low)
        offsets.push({ partition, low: start, high: high.get(partition) ?? start });
      return offsets.sort((a, b) => a.partition - b.partition);
    },
    async offsetsAtTime(topic, epochMs) {
      const offsets = await listOffsets(topic, BigInt(epochMs));
      // -1: no message at or after that time.
      return [...offsets]
        .sort(([a], [b]) => a - b)
        .map(([partition, offset]) => ({ partition, offset: offset < 0n ? undefined : offset }));
    },
    async topicMaxMessageBytes(topic) {
      // Asked first: describing a missing topic's configs fails only after the client's retries.
      if (!(await admin.listTopics()).includes(topic)) return undefined;
      const [described] = await admin.describeConfigs({
        resources: [
          {
            resourceType: ConfigResourceTypes.TOPIC,
            resourceName: topic,
            configurationKeys: [maxMessageBytesConfig],
          },
        ],
      });
      const entry = described?.configs.find(({ name }) => name === maxMessageBytesConfig);
      return parseMaxMessageBytes(topic, entry?.value);
    },
    async committedOffsets(groupId, topic) {
      const [group] = await admin.listConsumerGroupOffsets({ groups: [groupId] });
      const partitions = group?.topics.find(({ name }) => name === topic)?.partitions ?? [];
      // -1: the group has committed nothing on that partition.
      return new Map(
        partitions
          .filter(({ committedOffset }) => committedOffset >= 0n)
          .map(({ partitionIndex, committedOffset }) => [partitionIndex, committedOffset]),
      );
    },
    deleteGroup: (groupId) => admin.deleteGroups({ groups: [groupId] }),
    disconnect: () => admin.close(),
  });
}
