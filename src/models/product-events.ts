// product_events: maps an event to its row and writes rows set-based, one statement per batch.
import type { Knex } from 'knex';
import type { ProductPurchasedV2 } from '../schemas/types.ts';

/** One product_events row, in the JSON shape json_to_recordset reads (numbers stay exact). */
export interface ProductEventRow {
  readonly event_id: string;
  readonly event_type: string;
  readonly timestamp: string;
  readonly user_id: string;
  readonly product_id: string;
  readonly product_name: string;
  readonly category: string | null;
  readonly price: number;
  readonly currency: string;
  readonly quantity: number;
  readonly metadata: unknown;
  readonly discount_code: string | null;
  readonly discount_amount: number | null;
  readonly tax_amount: number | null;
}

export function toProductEventRow(event: ProductPurchasedV2): ProductEventRow {
  return {
    event_id: event.eventId,
    event_type: event.eventType,
    timestamp: event.timestamp,
    user_id: event.userId,
    product_id: event.productId,
    product_name: event.productName,
    category: event.category ?? null,
    price: event.price,
    currency: event.currency,
    quantity: event.quantity,
    metadata: event.metadata ?? null,
    discount_code: event.discountCode ?? null,
    discount_amount: event.discountAmount ?? null,
    tax_amount: event.taxAmount ?? null,
  };
}

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

// One statement for the whole batch: json_to_recordset turns one JSON parameter into rows (no
// 65 535 bind-parameter limit). On a known event_id it updates only when the stored row is the same
// event: original columns equal, v2 columns equal or still NULL (stored by a consumer that predates
// v2, so a replay backfills them). Otherwise the row is left alone and not RETURNed: a conflict.
// created_at/updated_at are given, not left to defaults: they are NOT NULL, as in the original.
function upsertSql(withV2Columns: boolean): string {
  const written = ['event_id', ...originalColumns, ...(withV2Columns ? v2Columns : [])];
  const recordType = written.map((column) => `"${column}" ${columnTypes[column] ?? 'text'}`);
  const sameEvent = `${tuple('stored', originalColumns)} IS NOT DISTINCT FROM ${tuple('EXCLUDED', originalColumns)}`;
  const update = withV2Columns
    ? `${v2Columns.map((column) => `${column} = EXCLUDED.${column}`).join(', ')},
       updated_at = CASE
         WHEN ${tuple('stored', v2Columns)} IS DISTINCT FROM ${tuple('EXCLUDED', v2Columns)} THEN now()
         ELSE stored.updated_at END`
    : 'updated_at = stored.updated_at'; // a no-op, so RETURNING reports the identical replay
  const fillableV2 = withV2Columns
    ? v2Columns
        .map((column) => ` AND (stored.${column} IS NULL OR stored.${column} = EXCLUDED.${column})`)
        .join('')
    : '';
  return `
    INSERT INTO product_events AS stored (${quoted(written)}, created_at, updated_at)
    SELECT ${quoted(written)}, now(), now()
    FROM json_to_recordset(?::json) AS incoming(${recordType.join(', ')})
    ON CONFLICT (event_id) DO UPDATE SET ${update}
    WHERE ${sameEvent}${fillableV2}
    RETURNING event_id`;
}

/** The columns a database at this migration level has: v1 before the v2 migration, then v2. */
export type StorageSchema = 'v1' | 'v2';

const upsertSqlBySchema: Readonly<Record<StorageSchema, string>> = {
  v1: upsertSql(false),
  v2: upsertSql(true),
};

/** Upserts the rows; returns the event_ids now stored as given (missing ones are conflicts). */
export async function upsertProductEvents(
  db: Knex | Knex.Transaction,
  rows: readonly ProductEventRow[],
  schema: StorageSchema = 'v2',
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const result = await db.raw<{ rows: { event_id: string }[] }>(upsertSqlBySchema[schema], [
    JSON.stringify(rows),
  ]);
  return new Set(result.rows.map((row) => row.event_id));
}
