// shipping_addresses: one row per event that sent an address, keyed by event_id.
import type { Knex } from 'knex';
import type { ProductPurchasedV2 } from '../domain/schemas/types.ts';

export interface ShippingAddressRow {
  readonly event_id: string;
  readonly street: string;
  readonly city: string;
  readonly state: string | null;
  readonly zip_code: string | null;
  readonly country: string;
}

export function toShippingAddressRow(event: ProductPurchasedV2): ShippingAddressRow | null {
  const address = event.shippingAddress;
  if (address === undefined || address === null) return null;
  return {
    event_id: event.eventId,
    street: address.street,
    city: address.city,
    state: address.state ?? null,
    zip_code: address.zipCode ?? null,
    country: address.country,
  };
}

const columns = ['street', 'city', 'state', 'zip_code', 'country'];
const tuple = (table: string) => `(${columns.map((column) => `${table}.${column}`).join(', ')})`;

// A replay of the same event finds the same address: the no-op update lets RETURNING report it.
// A different address for a stored event is a conflict: not updated, not returned.
const upsertSql = `
  INSERT INTO shipping_addresses AS stored (event_id, ${columns.join(', ')})
  SELECT event_id, ${columns.join(', ')}
  FROM json_to_recordset(?::json) AS incoming(
    event_id varchar, street varchar, city varchar, state varchar, zip_code varchar, country varchar)
  ON CONFLICT (event_id) DO UPDATE SET street = EXCLUDED.street
  WHERE ${tuple('stored')} IS NOT DISTINCT FROM ${tuple('EXCLUDED')}
  RETURNING event_id`;

/** Upserts the addresses; returns the event_ids whose address is now stored as given. */
export async function upsertShippingAddresses(
  db: Knex | Knex.Transaction,
  rows: readonly ShippingAddressRow[],
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const result = await db.raw<{ rows: { event_id: string }[] }>(upsertSql, [JSON.stringify(rows)]);
  return new Set(result.rows.map((row) => row.event_id));
}
