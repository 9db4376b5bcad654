// A store of decoded events in memory, in the place of the database (BatchDependencies'
// storeSliceEvents), for unit tests of the policies around storing: what is stored, when it fails,
// what the database refuses. It stores each eventId once; the rules of "the same event" are the
// database's and are tested against Postgres in test/integration/pipeline/.
import type { DecodedEvent, StoredBatch } from '../../src/pipeline/settle-copies-in-rounds.ts';

export class InMemoryEventStore {
  /** Stored events by eventId, in the order they were first stored. */
  readonly events = new Map<string, DecodedEvent>();
  /** The offsets of the messages each call was given, one entry per call (failed ones too). */
  readonly calls: string[][] = [];
  /** eventIds the database refuses (a trigger, a check): their messages are dead-lettered. */
  readonly refused = new Set<string>();
  /** At most this many events settled per call, as a spent write budget leaves the rest. */
  settleAtMost = Number.POSITIVE_INFINITY;
  /** Runs first in every call: where a test moves the group on, or stops, in mid-batch. */
  onStore: () => void = () => undefined;
  readonly #failures: unknown[] = [];

  /** The next call rejects with `error` and stores nothing (queued: call twice to fail twice). */
  failNext(error: unknown): void {
    this.#failures.push(error);
  }

  /** The offsets of the stored events' messages, in the order they were stored. */
  storedOffsets(): string[] {
    return [...this.events.values()].map((item) => item.message.offset);
  }

  readonly storeSliceEvents = async (
    events: readonly DecodedEvent[],
    storedEarlier: ReadonlySet<string>,
  ): Promise<StoredBatch> => {
    await Promise.resolve();
    this.calls.push(events.map((item) => item.message.offset));
    this.onStore();
    if (this.#failures.length > 0) throw this.#failures.shift();
    const result: StoredBatch = {
      stored: 0,
      storedBySchemaVersion: { 1: 0, 2: 0 },
      repeats: 0,
      rejected: [],
      storedIds: new Set(),
    };
    for (const [index, item] of events.entries()) {
      if (index >= this.settleAtMost)
        return { ...result, unsettledFrom: BigInt(item.message.offset) };
      const id = item.event.eventId;
      if (this.refused.has(id)) {
        const rejection = {
          code: 'EVENT_REFUSED_BY_DATABASE',
          reason: 'refused in memory',
        } as const;
        result.rejected.push({ message: item.message, rejection });
      } else if (storedEarlier.has(id) || result.storedIds.has(id)) {
        result.repeats += 1;
      } else {
        if (!this.events.has(id)) this.events.set(id, item);
        result.stored += 1;
        result.storedBySchemaVersion[item.schemaVersion] += 1;
        result.storedIds.add(id);
      }
    }
    return result;
  };
}
