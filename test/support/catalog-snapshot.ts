// What the database says about its tables, read straight from the catalogs, for before/after
// comparisons: independent of the migrations' own checks, so a test does not grade itself.
import type { Knex } from 'knex';

export interface ColumnShape {
  name: string;
  type: string;
  not_null: boolean;
  default_value: string | null;
}

/** The table's columns in order, as Postgres spells their types and defaults. */
export async function columnShapes(db: Knex, table = 'product_events'): Promise<ColumnShape[]> {
  const result = await db.raw<{ rows: ColumnShape[] }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default_value
     FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY a.attnum`,
    [table],
  );
  return result.rows;
}

/** The public schema's tables, with knex's own bookkeeping left out when `withKnex` is false. */
export async function tableNames(db: Knex, withKnex = true): Promise<string[]> {
  const result = await db.raw<{ rows: { name: string }[] }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`,
  );
  const names = result.rows.map((row) => row.name);
  return withKnex ? names : names.filter((name) => !name.startsWith('knex_migrations'));
}

/** Everything about product_events that a migration could change, as comparable text. */
export async function productEventsCatalog(db: Knex): Promise<Record<string, unknown>> {
  const constraints = await db.raw<{ rows: unknown[] }>(
    `SELECT conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint
     WHERE conrelid = 'product_events'::regclass ORDER BY conname`,
  );
  const indexes = await db.raw<{ rows: unknown[] }>(
    `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'product_events' ORDER BY 1`,
  );
  return {
    tables: await tableNames(db, false),
    columns: await columnShapes(db),
    constraints: constraints.rows,
    indexes: indexes.rows,
  };
}

export async function indexNames(db: Knex, table = 'product_events'): Promise<string[]> {
  const result = await db.raw<{ rows: { name: string }[] }>(
    'SELECT indexname AS name FROM pg_indexes WHERE tablename = ? ORDER BY 1',
    [table],
  );
  return result.rows.map((row) => row.name);
}
