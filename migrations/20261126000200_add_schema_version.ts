// Which code stored a row. NULL v2 columns used to mean two things: "the event had no discount"
// and "stored by a consumer that predates v2". schema_version tells them apart, so a replay fills
// the v2 columns only of rows older code stored and never merges a different event into a row:
// - NULL: stored by code that predates v2 (the original system, or this one before the v2
//   migration): its v2 columns and address are unknown, and may be backfilled once.
// - 2: stored by a v2 consumer: the row says all the event said.
// Rows that already carry v2 data were stored by v2 code: they are marked 2 here.
// Self-contained: a migration is a snapshot and imports nothing that may change later.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Fail fast rather than queue every writer behind this ALTER on a busy table.
  await knex.raw(`SET LOCAL lock_timeout = '5s'`);
  // Nullable without a default: adding it rewrites nothing, and writers that do not know the
  // column (the original consumer) keep inserting rows that read as "predates v2".
  await knex.raw('ALTER TABLE product_events ADD COLUMN schema_version smallint');
  await knex.raw(`
    UPDATE product_events AS stored SET schema_version = 2
    WHERE stored.discount_code IS NOT NULL
       OR stored.discount_amount IS NOT NULL
       OR stored.tax_amount IS NOT NULL
       OR EXISTS (SELECT 1 FROM shipping_addresses AS address WHERE address.event_id = stored.event_id)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`SET LOCAL lock_timeout = '5s'`);
  await knex.raw('ALTER TABLE product_events DROP COLUMN schema_version');
}
