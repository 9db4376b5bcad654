// The port's admin on kafkajs: where partitions begin and end, offsets by time, a group's commits.
import type { Kafka } from 'kafkajs';
import type { Admin } from '../../messaging/port.ts';

export async function connectAdmin(kafka: Kafka): Promise<Admin> {
  const admin = kafka.admin();
  await admin.connect();
  return {
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
