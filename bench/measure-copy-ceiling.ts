// The plain COPY ceiling: the same rows as COPY text (the write path's own encoding), copied into
// two plain tables with the columns and types of product_events and shipping_addresses and nothing
// else (no index, key, constraint or trigger), one transaction per batch, with the consumer's
// batch size and concurrency. It is what Postgres ingests at most on this machine, with none of
// the work of the rule of "the same event" (unique lookups, locks, comparisons, five indexes), so
// the write path's ceiling and the drain are read as fractions of it.
import type { Knex } from 'knex';
import type { ProductPurchasedV2 } from '../src/domain/schemas/types.ts';
import { productEventRows, productEventsStaging } from '../src/storage/product-events.ts';
import {
  shippingAddressesStaging,
  shippingAddressRows,
  toShippingAddressRow,
} from '../src/storage/shipping-addresses.ts';
import { copyColumns, copyFromStdin } from '../src/storage/staging-table.ts';
import { writeInBatches, type CeilingResult } from './measure-ceiling.ts';

const plainEvents = 'bench_plain_product_events';
const plainAddresses = 'bench_plain_shipping_addresses';

/** The plain tables, in a migrated database: the same column types, no data, nothing more. */
async function createPlainTables(db: Knex): Promise<void> {
  for (const [plain, table] of [
    [plainEvents, 'product_events'],
    [plainAddresses, 'shipping_addresses'],
  ] as const) {
    await db.raw(`DROP TABLE IF EXISTS ${plain}`);
    await db.raw(`CREATE TABLE ${plain} AS SELECT 0 AS ordinal, * FROM ${table} WITH NO DATA`);
  }
}

async function copyBatch(db: Knex, batch: readonly ProductPurchasedV2[]): Promise<void> {
  const addresses = batch.flatMap((event) => toShippingAddressRow(event) ?? []);
  await db.transaction(async (trx) => {
    await copyFromStdin(
      trx,
      `COPY ${plainEvents} (${copyColumns(productEventsStaging)}) FROM STDIN`,
      productEventRows(batch),
    );
    if (addresses.length === 0) return;
    await copyFromStdin(
      trx,
      `COPY ${plainAddresses} (${copyColumns(shippingAddressesStaging)}) FROM STDIN`,
      shippingAddressRows(addresses),
    );
  });
}

export async function measureCopyCeiling(
  db: Knex,
  events: readonly ProductPurchasedV2[],
  batchSize: number,
  concurrency: number,
): Promise<CeilingResult> {
  await createPlainTables(db);
  const { rowsPerSecond, progress } = await writeInBatches(
    events,
    batchSize,
    concurrency,
    (batch) => copyBatch(db, batch),
  );
  const [row] = await db(plainEvents).count<{ count: string }[]>({ count: '*' });
  if (Number(row?.count) !== events.length)
    throw new Error(`${plainEvents} holds ${row?.count} rows, not ${events.length}`);
  await db.raw(`DROP TABLE ${plainEvents}, ${plainAddresses}`);
  return { rowsPerSecond, progress };
}
