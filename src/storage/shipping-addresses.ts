// shipping_addresses: one row per event that sent an address, keyed by event_id; a batch's rows
// are written set-based: COPY, then one statement.
import type { Knex } from 'knex';
import type { ProductPurchasedV2 } from '../domain/schemas/types.ts';
import { CopyRows } from './copy-text.ts';
import { castColumns, copyIntoStaging, fromStaging, type StagingTable } from './staging-table.ts';

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
// The statement reads the batch's addresses from their staging table (staging-table.ts).
export const shippingAddressesStaging: StagingTable = {
  name: 'incoming_shipping_addresses',
  columns: ['event_id', ...columns],
};
const allVarchar = Object.fromEntries(
  shippingAddressesStaging.columns.map((column) => [column, 'varchar']),
);
const upsertSql = `
  INSERT INTO shipping_addresses AS stored (event_id, ${columns.join(', ')})
  SELECT ${castColumns(shippingAddressesStaging.columns, allVarchar)}
  FROM ${fromStaging(shippingAddressesStaging)}
  ON CONFLICT (event_id) DO UPDATE SET street = EXCLUDED.street
  WHERE ${tuple('stored')} IS NOT DISTINCT FROM ${tuple('EXCLUDED')}
  RETURNING event_id`;

/** The addresses as COPY text, one line each in shippingAddressesStaging's columns. */
export function shippingAddressRows(addresses: readonly ShippingAddressRow[]): Buffer[] {
  const rows = new CopyRows();
  let ordinal = 0;
  for (const address of addresses) {
    rows
      .number(ordinal++)
      .text(address.event_id)
      .text(address.street)
      .text(address.city)
      .text(address.state)
      .text(address.zip_code)
      .text(address.country)
      .endRow();
  }
  return rows.buffers();
}

/**
 * Upserts the addresses, in their order, in the transaction; returns the event_ids whose address
 * is now stored as given.
 */
export async function upsertShippingAddresses(
  trx: Knex.Transaction,
  rows: readonly ShippingAddressRow[],
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  await copyIntoStaging(trx, shippingAddressesStaging, shippingAddressRows(rows));
  const result = await trx.raw<{ rows: { event_id: string }[] }>(upsertSql);
  return new Set(result.rows.map((row) => row.event_id));
}
