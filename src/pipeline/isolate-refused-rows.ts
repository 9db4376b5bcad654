// Stores valid events, isolating those Postgres refuses. A batch is one transaction, so one bad row
// fails them all; halving the failed set finds the bad rows in O(bad · log n) transactions while
// every other event is still stored. Outages and bugs are not this function's business: rethrown.
// A database that refuses every row alike is not the rows' fault: that throws too (see
// database-refusal.ts), and the batch waits. With a write budget (write-budget.ts) the halving
// stops once it is spent: the parts not yet tried come back unsettled, in the order given.
import type { Knex } from 'knex';
import { classifyError } from '../domain/errors/classify-error.ts';
import { databaseFailureKind } from '../storage/database-failure-kind.ts';
import type { Rejection } from '../domain/errors/error-codes.ts';
import { everyEventRefused, rowRejection } from './database-refusal.ts';
import type { StorageSchema } from '../storage/product-events.ts';
import type { ProductPurchasedV2 } from '../domain/schemas/types.ts';
import { WriteBudget } from './write-budget.ts';
import { writeInOneTransaction } from './write-in-one-transaction.ts';

/** The events that could not be stored, by eventId, and why; every other event is stored. */
export type Refusals = Map<string, Rejection>;

export const eventIdConflict: Rejection = {
  code: 'EVENT_ID_CONFLICT',
  reason: 'an event with this eventId and different content is stored',
};

export interface StoredEvents {
  readonly refusals: Refusals;
  /** Events the budget left untried, in the order given: neither stored nor refused. */
  readonly unsettled: readonly ProductPurchasedV2[];
  /** Stored events found already stored as the same event, left as they were (a redelivery). */
  readonly unchanged: ReadonlySet<string>;
}

export async function isolateRefusedRows(
  db: Knex,
  events: readonly ProductPurchasedV2[],
  schema: StorageSchema,
  keepAlive?: () => Promise<void>,
): Promise<Refusals> {
  return (await isolateRefusedRowsWithin(new WriteBudget(), db, events, schema, keepAlive))
    .refusals;
}

/**
 * Rows a rule of the database refused while others of the same write were stored: the rule may
 * have been lifted while the write isolated them (a maintenance trigger dropped), and every row it
 * refused before then would be dead-lettered for a rule no longer there. Each is tried once more,
 * alone; what the rule still refuses keeps its refusal.
 */
async function tryRefusedByRuleAgain(
  db: Knex,
  events: readonly ProductPurchasedV2[],
  schema: StorageSchema,
  refusals: Refusals,
  unchanged: Set<string>,
): Promise<void> {
  const again = events.filter(
    ({ eventId }) => refusals.get(eventId)?.code === 'EVENT_REFUSED_BY_DATABASE',
  );
  for (const event of again) {
    try {
      const written = await writeInOneTransaction(db, [event], schema);
      if (written.conflictingEventIds.has(event.eventId))
        refusals.set(event.eventId, eventIdConflict);
      else refusals.delete(event.eventId);
      for (const eventId of written.unchangedEventIds) unchanged.add(eventId);
    } catch (error) {
      if (classifyError(error, [databaseFailureKind]) !== 'refused-by-database') throw error;
      refusals.set(event.eventId, rowRejection(error));
    }
  }
}

/** isolateRefusedRows, stopping once `budget` is spent with what it has not tried left unsettled. */
export async function isolateRefusedRowsWithin(
  budget: WriteBudget,
  db: Knex,
  events: readonly ProductPurchasedV2[],
  schema: StorageSchema,
  keepAlive: () => Promise<void> = () => Promise.resolve(),
): Promise<StoredEvents> {
  const refusals: Refusals = new Map();
  const unsettled: ProductPurchasedV2[] = [];
  const unchanged = new Set<string>();
  const byDatabase: Rejection[] = [];
  let wroteAny = false;
  // While every event tried was refused alike by a rule of the database, the budget does not cut
  // the write: that may be a refusal of everything, which is judged on the whole write and never
  // dead-lettered part by part.
  const mayRefuseAll = () =>
    !wroteAny &&
    byDatabase.every(
      (one) => one.code === 'EVENT_REFUSED_BY_DATABASE' && one.reason === byDatabase[0]?.reason,
    );
  const store = async (part: readonly ProductPurchasedV2[]): Promise<void> => {
    if (part.length === 0) return;
    if (unsettled.length > 0 || (!budget.allows() && !mayRefuseAll())) {
      unsettled.push(...part);
      return;
    }
    budget.spend();
    try {
      const written = await writeInOneTransaction(db, part, schema);
      for (const eventId of written.conflictingEventIds) refusals.set(eventId, eventIdConflict);
      for (const eventId of written.unchangedEventIds) unchanged.add(eventId);
      wroteAny = true;
      budget.settled();
    } catch (error) {
      if (classifyError(error, [databaseFailureKind]) !== 'refused-by-database') throw error;
      await keepAlive();
      const [only] = part;
      if (part.length === 1 && only !== undefined) {
        const rejection = rowRejection(error);
        refusals.set(only.eventId, rejection);
        byDatabase.push(rejection);
        budget.settled();
      } else {
        const middle = Math.ceil(part.length / 2);
        await store(part.slice(0, middle));
        await store(part.slice(middle));
      }
    }
  };
  await store(events);
  if (wroteAny && unsettled.length === 0)
    await tryRefusedByRuleAgain(db, events, schema, refusals, unchanged);
  // A write cut short had a row written or refused otherwise: it cannot be refusing everything.
  const refusingAll = everyEventRefused(events.length, byDatabase);
  if (refusingAll !== undefined) throw refusingAll;
  return { refusals, unsettled, unchanged };
}
