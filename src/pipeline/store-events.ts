// Stores valid events, isolating those Postgres refuses. A batch is one transaction, so one bad row
// fails them all; halving the failed set finds the bad rows in O(bad · log n) transactions while
// every other event is still stored. Outages and bugs are not this function's business: rethrown.
// A database that refuses every row alike is not the rows' fault: that throws too (see
// database-refusal.ts), and the batch waits.
import type { Knex } from 'knex';
import { classifyError } from '../domain/errors/classify-error.ts';
import { databaseFailureKind } from '../storage/database-failure-kind.ts';
import type { Rejection } from '../domain/errors/error-codes.ts';
import { everyEventRefused, rowRejection } from './database-refusal.ts';
import type { StorageSchema } from '../storage/product-events.ts';
import type { ProductPurchasedV2 } from '../domain/schemas/types.ts';
import { writeEvents } from './write-events.ts';

/** The events that could not be stored, by eventId, and why; every other event is stored. */
export type Refusals = Map<string, Rejection>;

export async function storeEvents(
  db: Knex,
  events: readonly ProductPurchasedV2[],
  schema: StorageSchema,
  keepAlive: () => Promise<void> = () => Promise.resolve(),
): Promise<Refusals> {
  const refusals: Refusals = new Map();
  const byDatabase: Rejection[] = [];
  const store = async (part: readonly ProductPurchasedV2[]): Promise<void> => {
    if (part.length === 0) return;
    try {
      const written = await writeEvents(db, part, schema);
      for (const eventId of written.conflictingEventIds) {
        const reason = 'an event with this eventId and different content is stored';
        refusals.set(eventId, { code: 'EVENT_ID_CONFLICT', reason });
      }
    } catch (error) {
      if (classifyError(error, [databaseFailureKind]) !== 'refused-by-database') throw error;
      await keepAlive();
      const [only] = part;
      if (part.length === 1 && only !== undefined) {
        const rejection = rowRejection(error);
        refusals.set(only.eventId, rejection);
        byDatabase.push(rejection);
      } else {
        const middle = Math.ceil(part.length / 2);
        await store(part.slice(0, middle));
        await store(part.slice(middle));
      }
    }
  };
  await store(events);
  const refusingAll = everyEventRefused(events.length, byDatabase);
  if (refusingAll !== undefined) throw refusingAll;
  return refusals;
}
