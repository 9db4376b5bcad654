// Loss, found by name. A test that guards against loss compares the set of eventIds it sent with
// the set stored plus the set dead-lettered, and a missing event fails it with its eventId, not
// by a row count that never arrives (a timeout) or a client's log line. It waits only as long as
// the group is behind: once the group has committed every partition to its end, whatever is
// missing will never come. A group that commits past a partition's end has skipped events.
import { expect } from 'chai';
import type { Kafka } from 'kafkajs';
import type { Knex } from 'knex';
import { groupLag, type PartitionLag } from './group-progress.ts';
import { waitUntil } from './wait-until.ts';

/**
 * The eventId a message value names, when the consumer must store or dead-letter it under that id:
 * a JSON object with a string eventId, of the handled event type or of none. Other event types
 * are skipped, and values without an eventId are not followed.
 */
export function sentEventId(value: Buffer | string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  try {
    const parsed = JSON.parse(value.toString()) as { eventId?: unknown; eventType?: unknown };
    if (typeof parsed.eventId !== 'string') return undefined;
    const { eventType } = parsed;
    return typeof eventType !== 'string' || eventType === 'product.purchased'
      ? parsed.eventId
      : undefined;
  } catch {
    return undefined;
  }
}

export async function storedEventIds(db: Knex): Promise<Set<string>> {
  const rows = await db('product_events').select<{ event_id: string }[]>('event_id');
  return new Set(rows.map((row) => row.event_id));
}

/** Fails at once when a partition's committed offset is past its end: events were skipped. */
export function expectNothingCommittedPastTheEnd(groupId: string, lag: readonly PartitionLag[]) {
  const past = lag.filter((p) => p.committed > p.end);
  expect(
    past.map((p) => `partition ${p.partition}: committed ${p.committed}, end ${p.end}`),
    `group ${groupId} committed past the end of the topic (offsets skip events)`,
  ).to.deep.equal([]);
}

/**
 * Where the group's commits stand: `behind` while some partition has messages it has not
 * committed, `at-end` when every one is committed to its end, `past-end` when one is beyond it.
 */
export async function groupProgress(kafka: Kafka, groupId: string, topic: string) {
  const lag = await groupLag(kafka, groupId, topic);
  if (lag.some((p) => p.committed < p.end && p.end > 0)) return { state: 'behind', lag } as const;
  return { state: lag.some((p) => p.committed > p.end) ? 'past-end' : 'at-end', lag } as const;
}

/** Waits until the group has committed every partition at least to its end. */
export function waitForGroupCaughtUp(kafka: Kafka, groupId: string, topic: string) {
  return waitUntil(`group ${groupId} to commit every partition of ${topic}`, async () => {
    const { state } = await groupProgress(kafka, groupId, topic);
    return state !== 'behind';
  });
}

export interface SettledSources {
  readonly db: Knex;
  /** eventIds of the dead letters; asked only when some sent event has no row. */
  readonly deadLetterIds: () => Promise<ReadonlySet<string>>;
}

/** The sent eventIds that are neither stored nor dead-lettered, sorted. */
export async function unsettledEventIds(
  sources: SettledSources,
  sent: Iterable<string>,
): Promise<string[]> {
  const stored = await storedEventIds(sources.db);
  const notStored = [...new Set(sent)].filter((id) => !stored.has(id));
  if (notStored.length === 0) return [];
  const deadLettered = await sources.deadLetterIds();
  return notStored.filter((id) => !deadLettered.has(id)).sort();
}

/** Fails naming every sent event that is neither stored nor dead-lettered. */
export async function expectEverySentEventSettled(
  sources: SettledSources,
  sent: Iterable<string>,
): Promise<void> {
  const lost = await unsettledEventIds(sources, sent);
  expect(lost, `${lost.length} sent events neither stored nor dead-lettered (lost)`).to.deep.equal(
    [],
  );
}

export interface SettleWait extends SettledSources {
  readonly kafka: Kafka;
  readonly topic: string;
  readonly groupId: string;
  /** Throws to end the wait early: a consumer that died, a fatal error. */
  readonly stillRunning?: () => void;
}

/**
 * Waits until the group has committed the topic to its end, then fails naming every sent event
 * neither stored nor dead-lettered, and fails on a commit past the end.
 */
export async function expectNothingLost(
  wait: SettleWait,
  sent: Iterable<string>,
  timeoutMs = 120_000,
): Promise<void> {
  // The ids are taken first: every one of them was acknowledged, so it is below the end offsets
  // read next, and a group at those ends has settled it.
  const ids = [...sent];
  const { lag } = await waitUntil(
    `group ${wait.groupId} to commit every partition of ${wait.topic} to its end`,
    async () => {
      wait.stillRunning?.();
      const progress = await groupProgress(wait.kafka, wait.groupId, wait.topic);
      return progress.state === 'behind' ? undefined : progress;
    },
    timeoutMs,
    200,
  );
  await expectEverySentEventSettled(wait, ids);
  expectNothingCommittedPastTheEnd(wait.groupId, lag);
}
