// Whether a consumer group has committed every partition of a topic up to its end: the proof that
// no message holds a partition back. Waiting for it ends early with the consumer's fatal error.
import type { Kafka } from 'kafkajs';
import { waitUntil } from './wait-until.ts';

export interface PartitionLag {
  readonly partition: number;
  readonly committed: number;
  readonly end: number;
}

/** Per partition: the group's committed offset (-1: none yet) and the topic's end offset. */
export async function groupLag(
  kafka: Kafka,
  groupId: string,
  topic: string,
): Promise<PartitionLag[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [ends, [committed]] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    return ends
      .map(({ partition, high }) => ({
        partition,
        end: Number(high),
        committed: Number(
          committed?.partitions.find((p) => p.partition === partition)?.offset ?? -1,
        ),
      }))
      .sort((a, b) => a.partition - b.partition);
  } finally {
    await admin.disconnect();
  }
}

/** Waits until the group's committed offset equals the end offset on every partition. */
export async function waitForGroupAtTopicEnd(
  options: {
    readonly kafka: Kafka;
    readonly groupId: string;
    readonly topic: string;
    readonly fatalErrors: readonly unknown[];
  },
  timeoutMs = 120_000,
): Promise<PartitionLag[]> {
  return waitUntil(
    `group ${options.groupId} to commit every partition of ${options.topic} to its end`,
    async () => {
      if (options.fatalErrors.length > 0) {
        const [fatal] = options.fatalErrors;
        const what = fatal instanceof Error ? `${fatal.name}: ${fatal.message}` : String(fatal);
        throw new Error(`the consumer stopped with a fatal error: ${what}`, { cause: fatal });
      }
      const lag = await groupLag(options.kafka, options.groupId, options.topic);
      // Past the end is never reached by waiting: the offsets skip events. Fail at once.
      const past = lag.filter((p) => p.committed > p.end);
      if (past.length > 0) {
        const where = past.map((p) => `partition ${p.partition} at ${p.committed} of ${p.end}`);
        throw new Error(
          `group ${options.groupId} committed past the topic's end: ${where.join(', ')}`,
        );
      }
      // An empty partition has nothing to commit.
      return lag.every((p) => p.committed === p.end || p.end === 0) ? lag : undefined;
    },
    timeoutMs,
    250,
  );
}

/** The group's state and how many members the coordinator still counts. */
export async function groupMembership(
  kafka: Kafka,
  groupId: string,
): Promise<{ state: string; members: number }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    return { state: groups[0]?.state ?? 'Dead', members: groups[0]?.members.length ?? 0 };
  } finally {
    await admin.disconnect();
  }
}
