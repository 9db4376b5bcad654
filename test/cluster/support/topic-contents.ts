// Every record of a topic, read to its end offsets by a group of its own: what the broker really
// holds, whatever a producer was told.
import type { Kafka } from 'kafkajs';
import { sentEventId } from '../../support/lost-events.ts';
import { waitUntil } from '../../support/wait-until.ts';
import { readerGroupId } from './cluster-probes.ts';

export interface TopicContents {
  readonly records: number;
  /**
   * What the partitions' offsets say they hold (high watermark − log start, summed): when a read
   * counts fewer, the reader missed records; when as many, a record missing from them is not on
   * the broker at all.
   */
  readonly recordsByOffsets: number;
  /** eventId → how many records carry it. */
  readonly eventIds: ReadonlyMap<string, number>;
}

export async function readTopic(kafka: Kafka, topic: string): Promise<TopicContents> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  let recordsByOffsets = 0;
  try {
    for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
      ends.set(partition, BigInt(high));
      recordsByOffsets += Number(BigInt(high) - BigInt(low));
    }
  } finally {
    await admin.disconnect();
  }
  const next = new Map<number, bigint>([...ends.keys()].map((p) => [p, 0n]));
  const eventIds = new Map<string, number>();
  let records = 0;
  const reader = kafka.consumer({ groupId: readerGroupId() });
  await reader.connect();
  await reader.subscribe({ topics: [topic], fromBeginning: true });
  await reader.run({
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) {
        records += 1;
        const id = sentEventId(message.value);
        if (id !== undefined) eventIds.set(id, (eventIds.get(id) ?? 0) + 1);
      }
      next.set(batch.partition, BigInt(batch.lastOffset()) + 1n);
      return Promise.resolve();
    },
  });
  try {
    await waitUntil(
      `${topic} read to its end`,
      () => Promise.resolve([...ends].every(([p, end]) => (next.get(p) ?? 0n) >= end)),
      180_000,
      200,
    );
    return { records, recordsByOffsets, eventIds };
  } finally {
    await reader.disconnect();
  }
}
