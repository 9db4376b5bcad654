// Holds `LOCK TABLE … IN EXCLUSIVE MODE` from a connection of the test's own: the consumer's writes to
// that table wait (reads do not), so a test catches the consumer with a batch in flight at a moment
// it chooses, and decides when that batch may finish.
import pg from 'pg';

export interface TableLock {
  /** Lock requests on the table that wait for this one: the consumer's write in flight. */
  waiters(): Promise<number>;
  /** Ends the transaction and the connection; safe to call twice (after hooks call it again). */
  release(): Promise<void>;
}

export async function lockTable(databaseUrl: string, table: string): Promise<TableLock> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query('BEGIN');
  await client.query(`LOCK TABLE ${client.escapeIdentifier(table)} IN EXCLUSIVE MODE`);
  let released: Promise<void> | undefined;
  return {
    async waiters() {
      const result = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks
         WHERE relation = $1::regclass AND NOT granted
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        [table],
      );
      return result.rows[0]?.n ?? 0;
    },
    release() {
      released ??= client
        .query('ROLLBACK')
        .then(() => undefined)
        .finally(() => client.end());
      return released;
    },
  };
}
