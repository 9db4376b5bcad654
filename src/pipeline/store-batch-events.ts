// Stores a batch's decoded events so that the outcome never depends on where batches split: the
// copies of one eventId are judged one after another by the database's own rule of "the same
// event" (storage/product-events.ts), exactly as if each had come in a batch of its own.
// - Copies with the same bytes as an earlier copy decode to the same event: they share its
//   outcome (stored becomes a repeat) without another round trip. That is every redelivery.
// - Copies that differ go in rounds: round k stores the k-th distinct copy of every eventId, so
//   one statement never sees an id twice, and each copy meets what the copies before it left.
// A batch stored in slices (process-batch.ts) calls this once per slice: a later slice's copies
// meet the earlier slices' rows in the database, as a later batch's would.
import type { Knex } from 'knex';
import type { StorageSchemaProbe } from '../storage/storage-schema.ts';
import { ServiceError, type Rejection } from '../domain/errors/error-codes.ts';
import { carriesV2Data, type SchemaVersion } from '../domain/events/decode-event.ts';
import type { ProductPurchasedV2 } from '../domain/schemas/types.ts';
import type { InboundMessage } from '../messaging/message.ts';
import { storeEvents } from './store-events.ts';

export interface DecodedEvent {
  readonly message: InboundMessage;
  readonly event: ProductPurchasedV2;
  readonly schemaVersion: SchemaVersion;
}

/** What became of a batch's events: stored, repeats of one stored, or rejected with a reason. */
export interface StoredBatch {
  /** Events stored, counting each eventId once per batch (`storedEarlier` included). */
  stored: number;
  readonly storedBySchemaVersion: Record<SchemaVersion, number>;
  repeats: number;
  readonly rejected: { readonly message: InboundMessage; readonly rejection: Rejection }[];
  /** The eventIds this call stored (or found stored as the same event). */
  readonly storedIds: Set<string>;
}

async function schemaFor(storageSchema: StorageSchemaProbe, events: readonly DecodedEvent[]) {
  const needsV2 = events.some((item) => carriesV2Data(item.event));
  const schema = await storageSchema.current(needsV2);
  if (schema === undefined) {
    throw new ServiceError(
      'DATABASE_NOT_MIGRATED',
      'product_events is gone: run `npm run db:migrate`',
    );
  }
  if (needsV2 && schema === 'v1') {
    const reason = 'events with v2 fields wait for the v2 migration: run `npm run db:migrate`';
    throw new ServiceError('DATABASE_LACKS_V2', reason);
  }
  return schema;
}

/** A distinct copy of an event and the later copies with the same bytes. */
interface Copy {
  readonly first: DecodedEvent;
  readonly sameBytes: DecodedEvent[];
}

/** Each eventId's distinct copies, in arrival order. */
function distinctCopies(events: readonly DecodedEvent[]): Copy[][] {
  const byId = new Map<string, Copy[]>();
  // Bytes as a binary string are compared only for ids seen more than once.
  const byBytes = new Map<string, Map<string, Copy>>();
  const bytesOf = (item: DecodedEvent) => item.message.value?.toString('latin1') ?? '';
  for (const item of events) {
    const id = item.event.eventId;
    const copies = byId.get(id);
    if (copies === undefined) {
      byId.set(id, [{ first: item, sameBytes: [] }]);
      continue;
    }
    let seen = byBytes.get(id);
    if (seen === undefined) {
      seen = new Map(copies.map((copy) => [bytesOf(copy.first), copy]));
      byBytes.set(id, seen);
    }
    const bytes = bytesOf(item);
    const same = seen.get(bytes);
    if (same !== undefined) {
      same.sameBytes.push(item);
    } else {
      const copy = { first: item, sameBytes: [] };
      copies.push(copy);
      seen.set(bytes, copy);
    }
  }
  return [...byId.values()];
}

export async function storeBatchEvents(
  deps: {
    readonly db: Knex;
    readonly storageSchema: StorageSchemaProbe;
    readonly keepAlive?: () => Promise<void>;
  },
  events: readonly DecodedEvent[],
  /** eventIds earlier slices of the same batch stored: another copy of one is a repeat. */
  storedEarlier: ReadonlySet<string> = new Set(),
): Promise<StoredBatch> {
  const storedInBatch = new Set<string>();
  const result: StoredBatch = {
    stored: 0,
    storedBySchemaVersion: { 1: 0, 2: 0 },
    repeats: 0,
    rejected: [],
    storedIds: storedInBatch,
  };
  const copiesById = distinctCopies(events);
  for (let round = 0; ; round += 1) {
    const copies = copiesById.flatMap((copies) => copies[round] ?? []);
    if (copies.length === 0) return result;
    if (round > 0) await deps.keepAlive?.();
    const schema = await schemaFor(
      deps.storageSchema,
      copies.map((copy) => copy.first),
    );
    const refusals = await storeEvents(
      deps.db,
      copies.map((copy) => copy.first.event),
      schema,
      deps.keepAlive,
    );
    for (const { first, sameBytes } of copies) {
      const eventId = first.event.eventId;
      const rejection = refusals.get(eventId);
      if (rejection !== undefined) {
        for (const item of [first, ...sameBytes]) {
          result.rejected.push({ message: item.message, rejection });
        }
        continue;
      }
      if (storedInBatch.has(eventId) || storedEarlier.has(eventId)) {
        result.repeats += 1;
      } else {
        storedInBatch.add(eventId);
        result.stored += 1;
        result.storedBySchemaVersion[first.schemaVersion] += 1;
      }
      result.repeats += sameBytes.length;
    }
  }
}
