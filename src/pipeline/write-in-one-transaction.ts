// Writes a batch of distinct, valid events in ONE transaction: product_events rows, then the
// shipping_addresses rows of the events that have one. Events that clash with what is stored come
// back as conflicts; the rest are committed together or not at all.
import type { Knex } from 'knex';
import {
  lockStoredEvents,
  upsertProductEvents,
  type StorageSchema,
  type StoredEventState,
} from '../storage/product-events.ts';
import { toShippingAddressRow, upsertShippingAddresses } from '../storage/shipping-addresses.ts';
import type { ProductPurchasedV2 } from '../domain/schemas/types.ts';

export interface WriteResult {
  readonly stored: number;
  readonly conflictingEventIds: ReadonlySet<string>;
  /**
   * Among the stored: events whose row was already there as the same event and is left as it was
   * (a redelivery). A row older code stored that the event fills in is not among them.
   */
  readonly unchangedEventIds: ReadonlySet<string>;
}

interface WrittenOnce {
  readonly stored: number;
  readonly unchanged: Set<string>;
}

/** Found only after the event rows were written: the transaction is run again without them. */
class AddressConflict extends Error {
  readonly eventIds: string[];
  constructor(eventIds: string[]) {
    super('stored shipping address differs');
    this.eventIds = eventIds;
  }
}

/** Another writer stored one of the events between our read and our upsert: read again. */
class RowAppearedMeanwhile extends Error {}

// How a stored address and the event's address (or the lack of either) decide: `compare` lets the
// database compare an address with the stored one (or store it where it may be filled in).
function addressVerdict(
  hasAddress: boolean,
  inserted: boolean,
  stored: StoredEventState | undefined,
): 'compare' | 'conflict' | 'same' {
  if (inserted || stored === undefined) return hasAddress ? 'compare' : 'same';
  if (stored.hasAddress) return hasAddress ? 'compare' : 'conflict';
  // No address stored: the event's own fact on a v2 row; unknown on a row older code stored.
  if (!hasAddress) return 'same';
  return stored.versioned ? 'conflict' : 'compare';
}

async function writeOnce(
  trx: Knex.Transaction,
  events: readonly ProductPurchasedV2[],
  schema: StorageSchema,
  conflicting: Set<string>,
): Promise<WrittenOnce> {
  // Every writer locks stored rows in the database's event_id order, then inserts in the order
  // writeInOneTransaction sorted them: the same order for all, so writers wait for each other rather than
  // deadlock (a deadlock that happened anyway is transient, and the batch is retried).
  const before =
    schema === 'v2'
      ? await lockStoredEvents(
          trx,
          events.map((event) => event.eventId),
        )
      : new Map<string, StoredEventState>();
  const storedIds = await upsertProductEvents(trx, events, schema);
  const unchanged = new Set<string>();
  for (const event of events) {
    const inserted = storedIds.get(event.eventId);
    if (inserted === undefined) conflicting.add(event.eventId);
    // A v1 table has nothing to fill in; a v2 one fills in a row only older code stored.
    else if (!inserted && (schema === 'v1' || before.get(event.eventId)?.versioned === true))
      unchanged.add(event.eventId);
  }
  if (schema === 'v1') return { stored: storedIds.size, unchanged };

  const toCompare = [];
  const addressConflicts: string[] = [];
  for (const event of events) {
    const inserted = storedIds.get(event.eventId);
    if (inserted === undefined) continue;
    if (!inserted && !before.has(event.eventId)) throw new RowAppearedMeanwhile();
    const address = toShippingAddressRow(event);
    const verdict = addressVerdict(address !== null, inserted, before.get(event.eventId));
    if (verdict === 'conflict') addressConflicts.push(event.eventId);
    else if (verdict === 'compare' && address !== null) toCompare.push(address);
  }
  const sameAddress = await upsertShippingAddresses(trx, toCompare);
  for (const row of toCompare) {
    if (!sameAddress.has(row.event_id)) addressConflicts.push(row.event_id);
  }
  if (addressConflicts.length > 0) throw new AddressConflict(addressConflicts);
  return { stored: storedIds.size, unchanged };
}

export async function writeInOneTransaction(
  db: Knex,
  events: readonly ProductPurchasedV2[],
  schema: StorageSchema,
): Promise<WriteResult> {
  const sorted = [...events].sort((a, b) =>
    a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0,
  );
  const addressClashes = new Set<string>();
  // An address conflict ends the transaction; it runs again without those events, at most once
  // per clashing event. A row that appeared meanwhile is read again on the next attempt.
  for (;;) {
    const pending = sorted.filter((event) => !addressClashes.has(event.eventId));
    const conflicting = new Set(addressClashes);
    try {
      const { stored, unchanged } = await db.transaction((trx) =>
        writeOnce(trx, pending, schema, conflicting),
      );
      return { stored, conflictingEventIds: conflicting, unchangedEventIds: unchanged };
    } catch (error) {
      if (error instanceof AddressConflict) {
        for (const eventId of error.eventIds) addressClashes.add(eventId);
      } else if (!(error instanceof RowAppearedMeanwhile)) {
        throw error;
      }
    }
  }
}
