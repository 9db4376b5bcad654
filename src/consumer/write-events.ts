// Writes a batch of distinct, valid events in ONE transaction: product_events rows, then the
// shipping_addresses rows of the events that have one. Events that clash with what is stored come
// back as conflicts; the rest are committed together or not at all.
import type { Knex } from 'knex';
import {
  toProductEventRow,
  upsertProductEvents,
  type StorageSchema,
} from '../models/product-events.ts';
import { toShippingAddressRow, upsertShippingAddresses } from '../models/shipping-addresses.ts';
import type { ProductPurchasedV2 } from '../schemas/types.ts';

export interface WriteResult {
  readonly stored: number;
  readonly conflictingEventIds: ReadonlySet<string>;
}

class AddressConflict extends Error {
  readonly eventIds: string[];
  constructor(eventIds: string[]) {
    super('stored shipping address differs');
    this.eventIds = eventIds;
  }
}

export async function writeEvents(
  db: Knex,
  events: readonly ProductPurchasedV2[],
  schema: StorageSchema,
): Promise<WriteResult> {
  const conflicting = new Set<string>();
  // An address conflict is found only after the event rows were written, so the transaction is
  // rolled back and run again without those events. It happens at most once per clashing event.
  for (;;) {
    const pending = events.filter((event) => !conflicting.has(event.eventId));
    try {
      const stored = await db.transaction(async (trx) => {
        const storedIds = await upsertProductEvents(trx, pending.map(toProductEventRow), schema);
        const addresses = pending
          .filter((event) => storedIds.has(event.eventId))
          .map(toShippingAddressRow)
          .filter((row) => row !== null);
        const storedAddressIds = await upsertShippingAddresses(trx, addresses);
        const addressConflicts = addresses
          .map((row) => row.event_id)
          .filter((eventId) => !storedAddressIds.has(eventId));
        if (addressConflicts.length > 0) throw new AddressConflict(addressConflicts);
        for (const event of pending) {
          if (!storedIds.has(event.eventId)) conflicting.add(event.eventId);
        }
        return storedIds.size;
      });
      return { stored, conflictingEventIds: conflicting };
    } catch (error) {
      if (!(error instanceof AddressConflict)) throw error;
      for (const eventId of error.eventIds) conflicting.add(eventId);
    }
  }
}
