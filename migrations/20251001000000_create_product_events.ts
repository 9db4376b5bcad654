// product_events, the table the original system (Sequelize) created. On a fresh database this
// creates it, exactly as it always has (later changes are new migrations). On the original
// system's live database the table already exists: then the migration checks that it has the
// original shape and *adopts* it (records itself as applied without touching the table), so the
// later migrations run on top of the live rows. Rolling back drops only a table this migration
// created, and only an empty one unless the rollback was asked to drop data (`npm run
// db:migrate:down -- --drop-data`); an adopted one stays, with its rows.
// Self-contained on purpose: a migration is a frozen snapshot, so it imports nothing that may change.
import type { Knex } from 'knex';

const productEvents = 'product_events';
const migration = '20251001000000_create_product_events.ts';
/** Which tables these migrations adopted rather than created; absent when none was adopted. */
const adoptedTables = 'knex_adopted_tables';
const guide = 'docs/adopting-an-existing-database.md';

interface ExpectedColumn {
  readonly type: string; // as Postgres's format_type() spells it
  readonly notNull: boolean;
  /** As pg_get_expr() spells it; 'auto-increment' is a sequence or identity default. */
  readonly default?: string;
}

// The original system's table (its migration 20251008000000-create-product-events.js).
const originalShape: Readonly<Record<string, ExpectedColumn>> = {
  id: { type: 'bigint', notNull: true, default: 'auto-increment' },
  event_id: { type: 'character varying(255)', notNull: true },
  event_type: { type: 'character varying(100)', notNull: true },
  timestamp: { type: 'timestamp with time zone', notNull: true },
  user_id: { type: 'character varying(255)', notNull: true },
  product_id: { type: 'character varying(255)', notNull: true },
  product_name: { type: 'character varying(500)', notNull: true },
  category: { type: 'character varying(255)', notNull: false },
  price: { type: 'numeric(10,2)', notNull: true },
  currency: { type: 'character varying(3)', notNull: true, default: "'USD'::character varying" },
  quantity: { type: 'integer', notNull: true, default: '1' },
  metadata: { type: 'jsonb', notNull: false },
  created_at: { type: 'timestamp with time zone', notNull: true, default: 'CURRENT_TIMESTAMP' },
  updated_at: { type: 'timestamp with time zone', notNull: true, default: 'CURRENT_TIMESTAMP' },
};

interface FoundColumn {
  name: string;
  type: string;
  not_null: boolean;
  default_value: string | null;
  identity: boolean;
}

/** now() and CURRENT_TIMESTAMP are the same default; older servers print the former. */
const sameDefault = (found: string | null) =>
  found === 'now()' || found === 'transaction_timestamp()' ? 'CURRENT_TIMESTAMP' : found;

const describeDefault = (value: string | null | undefined) =>
  value === null || value === undefined ? 'no default' : `DEFAULT ${value}`;

function columnDifferences(found: readonly FoundColumn[]): string[] {
  const differences: string[] = [];
  const byName = new Map(found.map((column) => [column.name, column]));
  for (const [name, expected] of Object.entries(originalShape)) {
    const column = byName.get(name);
    if (column === undefined) {
      differences.push(`column "${name}" is missing`);
      continue;
    }
    if (column.type !== expected.type)
      differences.push(`column "${name}" is ${column.type}, the original is ${expected.type}`);
    if (column.not_null !== expected.notNull) {
      const nullability = (notNull: boolean) => (notNull ? 'NOT NULL' : 'nullable');
      differences.push(
        `column "${name}" is ${nullability(column.not_null)}, the original is ${nullability(expected.notNull)}`,
      );
    }
    if (expected.default === 'auto-increment') {
      if (!column.identity && !(column.default_value ?? '').startsWith('nextval('))
        differences.push(`column "${name}" is not auto-incremented (no sequence or identity)`);
    } else if (sameDefault(column.default_value) !== (expected.default ?? null)) {
      differences.push(
        `column "${name}" has ${describeDefault(column.default_value)}, the original has ${describeDefault(expected.default)}`,
      );
    }
  }
  for (const column of found) {
    if (!(column.name in originalShape))
      differences.push(`column "${column.name}" is not in the original table`);
  }
  return differences;
}

/** Everything that keeps the existing table from being adopted; empty when it is the original. */
async function adoptionProblems(knex: Knex): Promise<string[]> {
  const relation = await knex.raw<{
    rows: { kind: string; owner: string; may_alter: boolean; me: string }[];
  }>(
    `SELECT c.relkind AS kind, pg_get_userbyid(c.relowner) AS owner, current_user AS me,
            pg_has_role(current_user, c.relowner, 'MEMBER') AS may_alter
     FROM pg_class c WHERE c.oid = to_regclass(?)`,
    [productEvents],
  );
  const [found] = relation.rows;
  if (found === undefined) return [`${productEvents} disappeared while it was being checked`];
  if (found.kind !== 'r')
    return [`${productEvents} is not a plain table (pg_class.relkind '${found.kind}')`];

  const columns = await knex.raw<{ rows: FoundColumn[] }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default_value,
            a.attidentity <> '' AS identity
     FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY a.attnum`,
    [productEvents],
  );
  const problems = columnDifferences(columns.rows);

  // Unique indexes (a UNIQUE or PRIMARY KEY constraint has one) over plain columns, no predicate.
  const keys = await knex.raw<{ rows: { is_primary: boolean; columns: string[] }[] }>(
    `SELECT i.indisprimary AS is_primary,
            ARRAY(SELECT a.attname::text
                  FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, position)
                  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                  ORDER BY k.position) AS columns
     FROM pg_index i
     WHERE i.indrelid = to_regclass(?) AND i.indisunique AND i.indisvalid
       AND i.indpred IS NULL AND i.indexprs IS NULL`,
    [productEvents],
  );
  const onlyColumn = (columns: string[], name: string) =>
    columns.length === 1 && columns[0] === name;
  if (!keys.rows.some((key) => key.is_primary && onlyColumn(key.columns, 'id')))
    problems.push('column "id" is not the primary key');
  // ON CONFLICT (event_id) and the shipping_addresses foreign key both need one.
  if (!keys.rows.some((key) => onlyColumn(key.columns, 'event_id')))
    problems.push('column "event_id" has no unique constraint or unique index');

  // Later migrations ALTER the table, which only its owner (or a member of that role) may do.
  if (!found.may_alter)
    problems.push(
      `${productEvents} is owned by role "${found.owner}", and the migrations' role "${found.me}" is not a member of it`,
    );
  return problems;
}

async function adopt(knex: Knex): Promise<void> {
  const problems = await adoptionProblems(knex);
  if (problems.length > 0) {
    throw new Error(
      `${productEvents} already exists but is not the original system's table, so it was not adopted ` +
        `and nothing was changed. Differences:\n  - ${problems.join('\n  - ')}\n` +
        `Fix them (or move the table aside), then run the migrations again; see ${guide}.`,
    );
  }
  await knex.raw(
    `CREATE TABLE IF NOT EXISTS ?? (
       table_name text PRIMARY KEY,
       adopted_by text NOT NULL,
       adopted_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP)`,
    [adoptedTables],
  );
  await knex(adoptedTables).insert({ table_name: productEvents, adopted_by: migration });
  say(
    knex,
    `${productEvents} already exists with the original shape: adopted as it is, rows untouched`,
  );
}

async function wasAdopted(knex: Knex): Promise<boolean> {
  const marker = await knex.raw<{ rows: { found: boolean }[] }>(
    'SELECT to_regclass(?) IS NOT NULL AS found',
    [adoptedTables],
  );
  if (marker.rows[0]?.found !== true) return false;
  return (await knex(adoptedTables).where({ table_name: productEvents }).first()) !== undefined;
}

/** Through knex's logger: the CLI prints it, the service's knex routes it to its log. */
function say(knex: Knex, message: string): void {
  (knex.client as { logger: { warn(message: string): void } }).logger.warn(message);
}

export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable(productEvents)) return adopt(knex);
  await knex.schema.createTable(productEvents, (table) => {
    table.bigIncrements('id').primary();
    table.string('event_id', 255).notNullable().unique();
    table.string('event_type', 100).notNullable();
    table.timestamp('timestamp', { useTz: true }).notNullable();
    table.string('user_id', 255).notNullable();
    table.string('product_id', 255).notNullable();
    table.string('product_name', 500).notNullable();
    table.string('category', 255).nullable();
    table.decimal('price', 10, 2).notNullable();
    table.string('currency', 3).notNullable().defaultTo('USD');
    table.integer('quantity').notNullable().defaultTo(1);
    table.jsonb('metadata').nullable();
    // Nullable, unlike the original: 20261126000100 makes them NOT NULL, as the original has them.
    table.timestamp('created_at', { useTz: true }).defaultTo(knex.fn.now());
    table.timestamp('updated_at', { useTz: true }).defaultTo(knex.fn.now());
    table.index('user_id');
    table.index('event_type');
    table.index('timestamp');
  });
}

/** Rows would go with the table: refuse (one line, MIGRATION_WOULD_DROP_DATA) unless the command
 * was given --drop-data, which stack/postgres/migrate-down.ts passes as knex's userParams.dropData. */
async function refuseToDropRows(knex: Knex): Promise<void> {
  if ((knex.userParams as { dropData?: unknown }).dropData === true) return;
  const [found] = await knex(productEvents).count<{ count: string }[]>({ count: '*' });
  const rows = Number(found?.count ?? 0);
  if (rows === 0) return;
  throw Object.assign(
    new Error(
      `${productEvents} holds ${rows} rows: rolling back ${migration} would drop the table with ` +
        'them, so nothing was changed; back them up, then run `npm run db:migrate:down -- --drop-data`',
    ),
    { code: 'MIGRATION_WOULD_DROP_DATA' },
  );
}

export async function down(knex: Knex): Promise<void> {
  if (!(await wasAdopted(knex))) {
    await refuseToDropRows(knex);
    await knex.schema.dropTable(productEvents);
    return;
  }
  // This project did not create it: forget the adoption, keep the table and every row.
  await knex(adoptedTables).where({ table_name: productEvents }).delete();
  const [left] = await knex(adoptedTables).count<{ count: string }[]>({ count: '*' });
  if (Number(left?.count) === 0) await knex.schema.dropTable(adoptedTables);
  say(
    knex,
    `kept ${productEvents} and its rows: the original system created it, so rollback leaves it`,
  );
}
