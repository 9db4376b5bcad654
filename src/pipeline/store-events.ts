// Stores valid events, isolating those Postgres refuses. A batch is one transaction, so one bad row
// fails them all; halving the failed set finds the bad rows in O(bad · log n) transactions while
// every other event is still stored. Outages and bugs are not this function's business: rethrown.
import type { Knex } from 'knex';
import { classifyError } from '../domain/errors/classify-error.ts';
import type { StorageSchema } from '../storage/product-events.ts';
import type { ProductPurchasedV2 } from '../domain/schemas/types.ts';
import { writeEvents } from './write-events.ts';

export interface StoreResult {
  stored: number;
  readonly conflictingEventIds: Set<string>;
  /** eventId → SQLSTATE of the row Postgres refused. */
  readonly refusedEventIds: Map<string, string>;
}

export async function storeEvents(
  db: Knex,
  events: readonly ProductPurchasedV2[],
  schema: StorageSchema,
  keepAlive: () => Promise<void> = () => Promise.resolve(),
  result: StoreResult = { stored: 0, conflictingEventIds: new Set(), refusedEventIds: new Map() },
): Promise<StoreResult> {
  if (events.length === 0) return result;
  try {
    const written = await writeEvents(db, events, schema);
    result.stored += written.stored;
    for (const eventId of written.conflictingEventIds) result.conflictingEventIds.add(eventId);
  } catch (error) {
    if (classifyError(error) !== 'event-data') throw error;
    await keepAlive();
    const [only] = events;
    if (events.length === 1 && only !== undefined) {
      result.refusedEventIds.set(only.eventId, String((error as { code?: unknown }).code));
    } else {
      const middle = Math.ceil(events.length / 2);
      await storeEvents(db, events.slice(0, middle), schema, keepAlive, result);
      await storeEvents(db, events.slice(middle), schema, keepAlive, result);
    }
  }
  return result;
}
