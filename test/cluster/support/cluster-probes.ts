// What a failover test asks a cluster while it breaks it: which node coordinates a group and leads
// which partitions, whether every replica is back in sync, and which members a group has had.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import { waitUntil } from '../../support/wait-until.ts';

const offsetsTopic = '__consumer_offsets';

/** Java's String.hashCode, as Kafka hashes a group id onto a partition of __consumer_offsets. */
function javaHashCode(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i += 1) hash = (Math.imul(31, hash) + text.charCodeAt(i)) | 0;
  return hash;
}

/** Kafka's Utils.abs(groupId.hashCode) % partitions: the partition whose leader coordinates it. */
export function coordinatorPartition(groupId: string, offsetsPartitions: number): number {
  const hash = javaHashCode(groupId);
  return (hash === -2147483648 ? 0 : Math.abs(hash)) % offsetsPartitions;
}

async function withAdmin<T>(kafka: Kafka, use: (admin: ReturnType<Kafka['admin']>) => Promise<T>) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

/** The leader of each partition of each topic. */
export function partitionLeaders(kafka: Kafka, topics: string[]): Promise<Map<string, number[]>> {
  return withAdmin(kafka, async (admin) => {
    const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
    return new Map(
      metadata.map(({ name, partitions }) => [
        name,
        [...partitions].sort((a, b) => a.partitionId - b.partitionId).map((p) => p.leader),
      ]),
    );
  });
}

/** The node coordinating the group, and the partitions of `topic` it leads. */
export async function groupCoordinator(kafka: Kafka, groupId: string, topic: string) {
  const leaders = await partitionLeaders(kafka, [offsetsTopic, topic]);
  const offsets = leaders.get(offsetsTopic) ?? [];
  const node = offsets[coordinatorPartition(groupId, offsets.length)];
  if (node === undefined)
    throw new Error(`no leader for ${groupId}'s __consumer_offsets partition`);
  const led = (leaders.get(topic) ?? []).flatMap((leader, partition) =>
    leader === node ? [partition] : [],
  );
  return { node, ledPartitions: led };
}

/** Waits until every partition of the topics has all three replicas in sync again. */
export function waitForFullIsr(kafka: Kafka, topics: string[], timeoutMs = 360_000) {
  const all = [...topics, offsetsTopic];
  return waitUntil(
    `every replica of ${all.join(', ')} in sync`,
    async () => {
      try {
        return await withAdmin(kafka, async (admin) => {
          const { topics: metadata } = await admin.fetchTopicMetadata({ topics: all });
          return metadata.every(({ partitions }) =>
            partitions.every((p) => p.leader >= 0 && p.isr.length === 3),
          );
        });
      } catch {
        return false; // a node still starting answers with errors
      }
    },
    timeoutMs,
    1_000,
  );
}

export interface MemberWatch {
  /** Every member id the group has had while watched. */
  stop(): Promise<ReadonlySet<string>>;
}

/** Polls the group's members every second (a failed poll, mid-failover, is skipped). */
export function watchMembers(kafka: Kafka, groupId: string): MemberWatch {
  const seen = new Set<string>();
  let running = true;
  const loop = (async () => {
    const admin = kafka.admin({ retry: { retries: 1 } });
    let connected = false;
    while (running) {
      try {
        if (!connected) await admin.connect();
        connected = true;
        const { groups } = await admin.describeGroups([groupId]);
        for (const member of groups[0]?.members ?? []) seen.add(member.memberId);
      } catch {
        // the coordinator is moving: try again next time
      }
      await sleep(1_000);
    }
    await admin.disconnect().catch(() => undefined);
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return seen;
    },
  };
}

/** A reader group of its own, never the consumer's. */
export const readerGroupId = (): string => `cluster-reader-${randomBytes(4).toString('hex')}`;
