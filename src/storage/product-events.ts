// product_events: writes a batch of events as rows, set-based: COPY, then one statement.
import type { Knex } from 'knex';
import type { ProductPurchasedV2 } from '../domain/schemas/types.ts';
import { CopyRows } from './copy-text.ts';
import { castColumns, copyIntoStaging, fromStaging, type StagingTable } from './staging-table.ts';

const originalColumns = [
  'event_type',
  'timestamp',
  'user_id',
  'product_id',
  'product_name',
  'category',
  'price',
  'currency',
  'quantity',
  'metadata',
];
const v2Columns = ['discount_code', 'discount_amount', 'tax_amount'];
const columnTypes: Readonly<Record<string, string>> = {
  event_id: 'varchar',
  event_type: 'varchar',
  timestamp: 'timestamptz',
  user_id: 'varchar',
  product_id: 'varchar',
  product_name: 'varchar',
  category: 'varchar',
  price: 'numeric',
  currency: 'varchar',
  quantity: 'integer',
  metadata: 'jsonb',
  discount_code: 'varchar',
  discount_amount: 'numeric',
  tax_amount: 'numeric',
};

const quoted = (columns: readonly string[]) => columns.map((column) => `"${column}"`).join(', ');
const tuple = (table: string, columns: readonly string[]) =>
  `(${columns.map((column) => `${table}."${column}"`).join(', ')})`;

/** Where a batch's rows wait for the statement below: staging-table.ts. */
export const productEventsStaging: StagingTable = {
  name: 'incoming_product_events',
  columns: ['event_id', ...originalColumns, ...v2Columns],
};

/**
 * The events' rows as COPY text, one line each in productEventsStaging's columns, straight from
 * what decoding made (no row objects): an absent optional field is NULL, numbers keep their text.
 */
export function productEventRows(events: readonly ProductPurchasedV2[]): Buffer[] {
  const rows = new CopyRows();
  let ordinal = 0;
  for (const e of events) {
    rows
      .number(ordinal++)
      .text(e.eventId)
      .text(e.eventType)
      .text(e.timestamp)
      .text(e.userId)
      .text(e.productId)
      .text(e.productName)
      .text(e.category)
      .number(e.price)
      .text(e.currency)
      .number(e.quantity)
      .json(e.metadata)
      .text(e.discountCode)
      .number(e.discountAmount)
      .number(e.taxAmount)
      .endRow();
  }
  return rows.buffers();
}

// One statement for the whole batch, reading the rows COPY put in the staging table (no 65 535
// bind-parameter limit, no JSON for Postgres to parse). On a known event_id it updates only when the stored row is the same
// event (the one rule of "the same event": equal stored columns):
// - original columns equal (timestamptz compares instants, numeric and jsonb compare values);
// - v2 columns equal, on a row a v2 consumer stored (schema_version set). On a row stored by code
//   that predates v2 (schema_version NULL) a v2 column may still be NULL, so a replay backfills it;
//   the row is then marked, and from then on only an equal event matches.
// Otherwise the row is left alone and not RETURNed: a conflict.
// created_at/updated_at are given, not left to defaults: they are NOT NULL, as in the original.
function upsertSql(withV2Columns: boolean): string {
  const written = ['event_id', ...originalColumns, ...(withV2Columns ? v2Columns : [])];
  const sameOriginal = `${tuple('stored', originalColumns)} IS NOT DISTINCT FROM ${tuple('EXCLUDED', originalColumns)}`;
  if (!withV2Columns) {
    return `
      INSERT INTO product_events AS stored (${quoted(written)}, created_at, updated_at)
      SELECT ${castColumns(written, columnTypes)}, now(), now()
      FROM ${fromStaging(productEventsStaging)}
      ON CONFLICT (event_id) DO UPDATE SET updated_at = stored.updated_at
      WHERE ${sameOriginal}
      RETURNING event_id, (xmax = 0) AS inserted`; // a no-op update lets RETURNING report a replay
  }
  const fillable = v2Columns
    .map((column) => `(stored.${column} IS NULL OR stored.${column} = EXCLUDED.${column})`)
    .join(' AND ');
  return `
    INSERT INTO product_events AS stored (${quoted(written)}, schema_version, created_at, updated_at)
    SELECT ${castColumns(written, columnTypes)}, ${currentSchemaVersion}, now(), now()
    FROM ${fromStaging(productEventsStaging)}
    ON CONFLICT (event_id) DO UPDATE SET
      ${v2Columns.map((column) => `${column} = EXCLUDED.${column}`).join(', ')},
      schema_version = EXCLUDED.schema_version,
      updated_at = CASE WHEN stored.schema_version IS NULL THEN now() ELSE stored.updated_at END
    WHERE ${sameOriginal}
      AND CASE WHEN stored.schema_version IS NULL THEN ${fillable}
          ELSE ${tuple('stored', v2Columns)} IS NOT DISTINCT FROM ${tuple('EXCLUDED', v2Columns)} END
    RETURNING event_id, (xmax = 0) AS inserted`;
}

/** Written to schema_version by this code: rows whose v2 columns say what the event said. */
export const currentSchemaVersion = 2;

/**
 * The columns a database at this migration level has: v1 is the original table (or v2 columns
 * without schema_version, mid-migration), v2 everything the consumer writes.
 */
export type StorageSchema = 'v1' | 'v2';

const upsertSqlBySchema: Readonly<Record<StorageSchema, string>> = {
  v1: upsertSql(false),
  v2: upsertSql(true),
};

/**
 * Upserts the events' rows, in their order, in the transaction; returns, per event_id now stored
 * as given, whether this statement inserted it. Missing ids are conflicts.
 */
export async function upsertProductEvents(
  trx: Knex.Transaction,
  events: readonly ProductPurchasedV2[],
  schema: StorageSchema = 'v2',
): Promise<Map<string, boolean>> {
  if (events.length === 0) return new Map();
  await copyIntoStaging(trx, productEventsStaging, productEventRows(events));
  const result = await trx.raw<{ rows: { event_id: string; inserted: boolean }[] }>(
    upsertSqlBySchema[schema],
  );
  return new Map(result.rows.map((row) => [row.event_id, row.inserted]));
}

/** What is stored under an event_id, as far as deciding the same event needs it. */
export interface StoredEventState {
  /** Stored by a consumer that knows v2: its v2 columns and address are the event's own. */
  readonly versioned: boolean;
  readonly hasAddress: boolean;
}

/**
 * The stored state of these event_ids, with their rows locked until the transaction ends, so no
 * other writer changes them (or adds an address) between this read and the upsert.
 */
export async function lockStoredEvents(
  trx: Knex.Transaction,
  eventIds: readonly string[],
): Promise<Map<string, StoredEventState>> {
  if (eventIds.length === 0) return new Map();
  const result = await trx.raw<{
    rows: { event_id: string; versioned: boolean; has_address: boolean }[];
  }>(
    `SELECT stored.event_id, stored.schema_version IS NOT NULL AS versioned,
            address.event_id IS NOT NULL AS has_address
     FROM product_events AS stored
     LEFT JOIN shipping_addresses AS address ON address.event_id = stored.event_id
     WHERE stored.event_id IN (SELECT json_array_elements_text(?::json))
     ORDER BY stored.event_id
     FOR UPDATE OF stored`,
    [JSON.stringify(eventIds)],
  );
  return new Map(
    result.rows.map((row) => [
      row.event_id,
      { versioned: row.versioned, hasAddress: row.has_address },
    ]),
  );
}
