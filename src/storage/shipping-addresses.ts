// shipping_addresses: one row per event that sent an address, keyed by event_id.
import type { Knex } from 'knex';
import type { ProductPurchasedV2 } from '../domain/schemas/types.ts';
import { copyField } from './copy-text.ts';
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
const staging: StagingTable = {
  name: 'incoming_shipping_addresses',
  columns: ['event_id', ...columns],
};
const allVarchar = Object.fromEntries(staging.columns.map((column) => [column, 'varchar']));
const upsertSql = `
  INSERT INTO shipping_addresses AS stored (event_id, ${columns.join(', ')})
  SELECT ${castColumns(staging.columns, allVarchar)}
  FROM ${fromStaging(staging)}
  ON CONFLICT (event_id) DO UPDATE SET street = EXCLUDED.street
  WHERE ${tuple('stored')} IS NOT DISTINCT FROM ${tuple('EXCLUDED')}
  RETURNING event_id`;

/** An address as a line of COPY text, after its ordinal (the columns in staging.columns' order). */
const copyLine = (ordinal: number, row: ShippingAddressRow) =>
  `${ordinal}\t${copyField(row.event_id)}\t${copyField(row.street)}\t${copyField(row.city)}\t${copyField(row.state)}\t${copyField(row.zip_code)}\t${copyField(row.country)}\n`;

/**
 * Upserts the addresses, in their order, in the transaction; returns the event_ids whose address
 * is now stored as given.
 */
export async function upsertShippingAddresses(
  trx: Knex.Transaction,
  rows: readonly ShippingAddressRow[],
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  let lines = '';
  let ordinal = 0;
  for (const row of rows) lines += copyLine(ordinal++, row);
  await copyIntoStaging(trx, staging, lines);
  const result = await trx.raw<{ rows: { event_id: string }[] }>(upsertSql);
  return new Set(result.rows.map((row) => row.event_id));
}
