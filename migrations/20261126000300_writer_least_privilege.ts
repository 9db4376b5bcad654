// Least privilege for the consumer's role (the writer). stack:up used to grant it INSERT and
// UPDATE on every table by default, knex's own included, so a writer could add fake history rows
// (migrate:latest then skips a migration) or set is_locked (migrations block). From here the
// writer SELECTs every table, INSERTs into the two the consumer writes, and UPDATEs exactly the
// columns the upserts' ON CONFLICT ... DO UPDATE sets; nothing else. Column privileges cannot be
// granted by default, so a later migration that adds a table or a column the writer writes grants
// it itself (src/storage/writer-privileges.ts holds the current rule, which stack:up applies).
// The writer is the role stack:up records in the database setting product_events.writer_role;
// without it (one role does everything) this does nothing.
// Self-contained: a migration is a snapshot and imports nothing that may change later.
import type { Knex } from 'knex';

const inserted = ['product_events', 'shipping_addresses'];
const updated: Readonly<Record<string, readonly string[]>> = {
  product_events: [
    'discount_code',
    'discount_amount',
    'tax_amount',
    'schema_version',
    'updated_at',
  ],
  shipping_addresses: ['street'], // a replay of the same address sets it to itself
};

async function writerRole(knex: Knex): Promise<string | undefined> {
  const result = await knex.raw<{ rows: { writer: string | null }[] }>(
    "SELECT current_setting('product_events.writer_role', true) AS writer",
  );
  const writer = result.rows[0]?.writer ?? '';
  return writer === '' ? undefined : writer;
}

async function tables(knex: Knex) {
  const result = await knex.raw<{
    rows: { name: string; columns: string[]; sequences: string[] }[];
  }>(`
    SELECT t.relname::text AS name,
      array(SELECT a.attname::text FROM pg_attribute a
            WHERE a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
      array(SELECT s.relname::text FROM pg_depend d JOIN pg_class s ON s.oid = d.objid
            WHERE d.refobjid = t.oid AND s.relkind = 'S') AS sequences
    FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace
    WHERE n.nspname = 'public' AND t.relkind IN ('r', 'p')`);
  return result.rows;
}

export async function up(knex: Knex): Promise<void> {
  const writer = await writerRole(knex);
  if (writer === undefined) return;
  for (const table of await tables(knex)) {
    // A table-wide REVOKE leaves column grants in place: those are revoked by name too.
    await knex.raw('REVOKE ALL ON TABLE ?? FROM ??', [table.name, writer]);
    await knex.raw(`REVOKE ALL (${table.columns.map(() => '??').join(', ')}) ON TABLE ?? FROM ??`, [
      ...table.columns,
      table.name,
      writer,
    ]);
    await knex.raw('GRANT SELECT ON TABLE ?? TO ??', [table.name, writer]);
    for (const sequence of table.sequences) {
      await knex.raw('REVOKE ALL ON SEQUENCE ?? FROM ??', [sequence, writer]);
      if (inserted.includes(table.name))
        await knex.raw('GRANT USAGE ON SEQUENCE ?? TO ??', [sequence, writer]);
    }
    if (inserted.includes(table.name))
      await knex.raw('GRANT INSERT ON TABLE ?? TO ??', [table.name, writer]);
    const columns = (updated[table.name] ?? []).filter((column) => table.columns.includes(column));
    if (columns.length > 0) {
      await knex.raw(`GRANT UPDATE (${columns.map(() => '??').join(', ')}) ON TABLE ?? TO ??`, [
        ...columns,
        table.name,
        writer,
      ]);
    }
  }
}

export async function down(knex: Knex): Promise<void> {
  // What the code before this migration needs (table-wide INSERT and UPDATE on its two tables);
  // knex's tables stay read-only for the writer: nothing before needed more.
  const writer = await writerRole(knex);
  if (writer === undefined) return;
  for (const table of inserted) {
    await knex.raw('GRANT SELECT, INSERT, UPDATE ON TABLE ?? TO ??', [table, writer]);
  }
}
