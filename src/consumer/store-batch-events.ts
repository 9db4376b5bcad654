// Stores a batch's decoded events: each eventId once per round (one statement cannot upsert an id
// twice), the rest settled by what happened to its first copy. A later copy identical to a stored
// first copy is a repeat; a different one is a conflict. But when the first copy itself clashes
// with the row already stored, the next copy gets its turn in another round: so whether a
// redelivered event is recognised never depends on where batch boundaries fall.
import type { Knex } from 'knex';
import type { StorageSchemaProbe } from '../db/storage-schema.ts';
import { ServiceError, type Rejection } from '../errors/error-codes.ts';
import { carriesV2Data, type SchemaVersion } from '../events/decode-event.ts';
import type { ProductPurchasedV2 } from '../schemas/types.ts';
import { dedupeEvents } from './dedupe-events.ts';
import type { SourceMessage } from './source-message.ts';
import { storeEvents } from './store-events.ts';

export interface DecodedEvent {
  readonly message: SourceMessage;
  readonly event: ProductPurchasedV2;
  readonly schemaVersion: SchemaVersion;
}

export interface StoredEvents {
  stored: number;
  readonly storedBySchemaVersion: Record<SchemaVersion, number>;
  repeats: number;
  readonly rejected: { readonly message: SourceMessage; readonly rejection: Rejection }[];
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

export async function storeBatchEvents(
  deps: {
    readonly db: Knex;
    readonly storageSchema: StorageSchemaProbe;
    readonly keepAlive?: () => Promise<void>;
  },
  events: readonly DecodedEvent[],
): Promise<StoredEvents> {
  const result: StoredEvents = {
    stored: 0,
    storedBySchemaVersion: { 1: 0, 2: 0 },
    repeats: 0,
    rejected: [],
  };
  const reject = (message: SourceMessage, code: Rejection['code'], reason: string) =>
    result.rejected.push({ message, rejection: { code, reason } });

  let pending = events;
  while (pending.length > 0) {
    const { unique, repeats } = dedupeEvents(pending);
    const schema = await schemaFor(deps.storageSchema, unique);
    const written = await storeEvents(
      deps.db,
      unique.map((item) => item.event),
      schema,
      deps.keepAlive,
    );
    result.stored += written.stored;
    const firstCopyClashed = new Set<string>();
    for (const item of unique) {
      const refusedWith = written.refusedEventIds.get(item.event.eventId);
      if (refusedWith !== undefined) {
        reject(
          item.message,
          'EVENT_REJECTED_BY_DATABASE',
          `Postgres refused the event's row (SQLSTATE ${refusedWith})`,
        );
        firstCopyClashed.add(item.event.eventId);
      } else if (written.conflictingEventIds.has(item.event.eventId)) {
        reject(
          item.message,
          'EVENT_ID_CONFLICT',
          'an event with this eventId and different content is stored',
        );
        firstCopyClashed.add(item.event.eventId);
      } else {
        result.storedBySchemaVersion[item.schemaVersion] += 1;
      }
    }
    const firstCopies = new Set(unique);
    const isRepeat = new Set(repeats);
    const next: DecodedEvent[] = [];
    for (const item of pending) {
      if (firstCopies.has(item)) continue;
      if (firstCopyClashed.has(item.event.eventId)) next.push(item);
      else if (isRepeat.has(item)) result.repeats += 1;
      else
        reject(
          item.message,
          'EVENT_ID_CONFLICT',
          'another event with this eventId and different content came first',
        );
    }
    pending = next;
  }
  return result;
}
