// Audits the consumer's promise behind every commit: an offset committed means every event before
// it in that partition is stored. At each kill the test takes a snapshot (committed offsets, stored
// ids); once the stream has ended, the topic is read back with each event's partition and offset
// and every snapshot is checked event by event. A sum alone could hide a partition committed ahead
// of its rows behind another partition's rows stored but not yet committed.
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { readRange } from '../../../src/adapters/kafkajs/read-range.ts';
import { groupLag } from '../../support/group-progress.ts';
import type { PipelineHarness } from '../../support/pipeline-harness.ts';

export interface CommitSnapshot {
  /** Per partition, the group's committed offset (0 when none). */
  readonly committed: readonly number[];
  readonly storedIds: ReadonlySet<string>;
}

export async function commitSnapshot(harness: PipelineHarness): Promise<CommitSnapshot> {
  const { kafka, config } = harness;
  const lag = await groupLag(kafka, config.consumerGroupId, config.topic);
  const rows = await harness.db('product_events').select<{ event_id: string }[]>('event_id');
  return {
    committed: lag.map((p) => Math.max(0, p.committed)),
    storedIds: new Set(rows.map((row) => row.event_id)),
  };
}

/** Committed events in all: a lower bound of the rows, checked at once so a broken commit fails fast. */
export const committedCount = (snapshot: CommitSnapshot): number =>
  snapshot.committed.reduce((sum, offset) => sum + offset, 0);

/** Every partition's eventIds by offset, read from the topic's start to its end. */
export async function eventIdsByOffset(kafka: Kafka, topic: string): Promise<string[][]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const ids: string[][] = ends.map(() => []);
  const reader = await readRange(kafka, {
    topic,
    groupId: `audit-${randomBytes(4).toString('hex')}`,
    ranges: ends.map(({ partition, high }) => ({ partition, start: 0n, end: BigInt(high) })),
    handle: (partition, messages, control) => {
      for (const message of messages) {
        const { eventId } = JSON.parse(message.value?.toString() ?? '{}') as { eventId?: string };
        (ids[partition] ??= [])[Number(message.offset)] = eventId ?? '';
      }
      return control.commit();
    },
  });
  await reader.finished;
  return ids;
}

/** The events below a committed offset that were not stored when the snapshot was taken. */
export function committedNotStored(snapshot: CommitSnapshot, ids: readonly string[][]): string[] {
  const missing: string[] = [];
  snapshot.committed.forEach((committed, partition) => {
    const partitionIds = ids[partition] ?? [];
    for (let offset = 0; offset < committed; offset += 1) {
      const id = partitionIds[offset];
      if (id === undefined || !snapshot.storedIds.has(id)) missing.push(`${partition}@${offset}`);
    }
  });
  return missing;
}
