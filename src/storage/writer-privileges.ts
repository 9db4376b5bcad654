// What the consumer's role (the writer) may do, in one place, and the one function that grants it.
// The writer SELECTs every table; beyond that it may INSERT into the tables the upserts write and
// UPDATE exactly the columns their ON CONFLICT ... DO UPDATE sets (src/storage/product-events.ts,
// shipping-addresses.ts). Nothing on knex_migrations or knex_migrations_lock: a writer that could
// add history rows or set is_locked could make migrate:latest skip a migration or block it.
//
// Column privileges cannot be granted by default (ALTER DEFAULT PRIVILEGES is per table), so a
// table or column added later gets nothing until granted. Migration 20261126000300 grants this rule
// as it stands at that schema (migrations are self-contained snapshots: it writes the rule out,
// and a later migration that adds a table or a column the writer writes grants it itself, and adds
// it here). `npm run stack:up` applies this, the current rule, to the tables that exist. The
// writer's name is in the database setting stack:up records; without it (one role does
// everything) nothing is granted. integration/db/database-roles.test.ts checks both paths.
export const writerRoleSetting = 'product_events.writer_role';

interface TablePrivileges {
  readonly insert: boolean;
  /** Columns the upsert's DO UPDATE sets; absent ones (a migration not yet run) are skipped. */
  readonly update: readonly string[];
}

const writerPrivileges: Readonly<Record<string, TablePrivileges>> = {
  product_events: {
    insert: true,
    update: ['discount_code', 'discount_amount', 'tax_amount', 'schema_version', 'updated_at'],
  },
  // A replay of the same address updates street to itself, so RETURNING reports it.
  shipping_addresses: { insert: true, update: ['street'] },
};

/** Runs one SQL statement (knex.raw or pg's client.query both fit). */
export type RunSql = <Row>(sql: string) => Promise<{ rows: Row[] }>;

const id = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The writer role recorded for this database, if any. */
async function configuredWriter(run: RunSql): Promise<string | undefined> {
  const { rows } = await run<{ writer: string | null }>(
    `SELECT current_setting('${writerRoleSetting}', true) AS writer`,
  );
  const writer = rows[0]?.writer ?? '';
  return writer === '' ? undefined : writer;
}

/** Makes the writer's privileges on every table of schema public exactly the declared ones. */
export async function applyWriterPrivileges(run: RunSql, writer?: string): Promise<void> {
  const role = writer ?? (await configuredWriter(run));
  if (role === undefined) return;
  const { rows: tables } = await run<{ name: string; columns: string[]; sequences: string[] }>(`
    SELECT t.relname::text AS name,
      array(SELECT a.attname::text FROM pg_attribute a
            WHERE a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
      array(SELECT s.relname::text FROM pg_depend d JOIN pg_class s ON s.oid = d.objid
            WHERE d.refobjid = t.oid AND s.relkind = 'S') AS sequences
    FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace
    WHERE n.nspname = 'public' AND t.relkind IN ('r', 'p')`);
  for (const table of tables) {
    const name = `public.${id(table.name)}`;
    const declared = writerPrivileges[table.name];
    // Table-level REVOKE leaves column grants in place: revoke those by name as well.
    const allColumns = table.columns.map(id).join(', ');
    const statements = [
      `REVOKE ALL ON TABLE ${name} FROM ${id(role)}`,
      `REVOKE ALL (${allColumns}) ON TABLE ${name} FROM ${id(role)}`,
      `GRANT SELECT ON TABLE ${name} TO ${id(role)}`,
      ...table.sequences.map((s) => `REVOKE ALL ON SEQUENCE public.${id(s)} FROM ${id(role)}`),
    ];
    if (declared?.insert === true) {
      statements.push(`GRANT INSERT ON TABLE ${name} TO ${id(role)}`);
      // An insert draws the id from the table's own sequence.
      for (const s of table.sequences)
        statements.push(`GRANT USAGE ON SEQUENCE public.${id(s)} TO ${id(role)}`);
    }
    const updatable = (declared?.update ?? []).filter((column) => table.columns.includes(column));
    if (updatable.length > 0) {
      statements.push(
        `GRANT UPDATE (${updatable.map(id).join(', ')}) ON TABLE ${name} TO ${id(role)}`,
      );
    }
    for (const statement of statements) await run(statement);
  }
}
