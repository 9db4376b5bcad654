// created_at and updated_at NOT NULL, as the original system has them, so a fresh install and an
// adopted database have the same schema. The baseline stays frozen (databases ran it as it is).
// On an adopted table they already are NOT NULL: nothing to do, and rollback leaves them so.
// Without a long exclusive lock on a live table: NULLs are filled and a CHECK is added NOT VALID
// (brief lock), validated (SHARE UPDATE EXCLUSIVE: writers go on), then SET NOT NULL uses the valid
// CHECK instead of scanning the table under its exclusive lock (Postgres 12+).
// Self-contained on purpose: a migration is a frozen snapshot, so it imports nothing that may change.
import type { Knex } from 'knex';

// Each step commits on its own, so the validation never runs inside the exclusive lock.
export const config = { transaction: false };

const lockTimeout = '5s';
const columns = ['created_at', 'updated_at'] as const;
const checkOf = (column: string) => `product_events_${column}_not_null`;

async function nullableColumns(knex: Knex): Promise<string[]> {
  const result = await knex.raw<{ rows: { name: string }[] }>(
    `SELECT attname AS name FROM pg_attribute
     WHERE attrelid = to_regclass('product_events') AND attname IN (${columns.map(() => '?').join(', ')})
       AND NOT attnotnull`,
    [...columns],
  );
  return result.rows.map((row) => row.name);
}

async function withLockTimeout(knex: Knex, work: (trx: Knex.Transaction) => Promise<void>) {
  await knex.transaction(async (trx) => {
    await trx.raw(`SET LOCAL lock_timeout = '${lockTimeout}'`);
    await work(trx);
  });
}

export async function up(knex: Knex): Promise<void> {
  const nullable = await nullableColumns(knex);
  if (nullable.length === 0) return;
  await withLockTimeout(knex, async (trx) => {
    // The defaults fill both, so NULLs are unlikely; an unknown time reads as the other one, or now.
    await trx.raw(`
      UPDATE product_events
      SET created_at = COALESCE(created_at, updated_at, CURRENT_TIMESTAMP),
          updated_at = COALESCE(updated_at, created_at, CURRENT_TIMESTAMP)
      WHERE created_at IS NULL OR updated_at IS NULL`);
    // IF EXISTS: a run that failed after this step left the CHECKs behind.
    const checks = nullable.map(
      (column) =>
        `DROP CONSTRAINT IF EXISTS ${checkOf(column)}, ` +
        `ADD CONSTRAINT ${checkOf(column)} CHECK (${column} IS NOT NULL) NOT VALID`,
    );
    await trx.raw(`ALTER TABLE product_events ${checks.join(', ')}`);
  });
  await withLockTimeout(knex, async (trx) => {
    for (const column of nullable)
      await trx.raw(`ALTER TABLE product_events VALIDATE CONSTRAINT ${checkOf(column)}`);
  });
  await withLockTimeout(knex, async (trx) => {
    // Two statements: in the same ALTER TABLE as the DROP, the CHECK would not count, and
    // SET NOT NULL would scan the table under the exclusive lock after all.
    const setNotNull = nullable.map((column) => `ALTER COLUMN ${column} SET NOT NULL`);
    await trx.raw(`ALTER TABLE product_events ${setNotNull.join(', ')}`);
    const dropChecks = nullable.map((column) => `DROP CONSTRAINT ${checkOf(column)}`);
    await trx.raw(`ALTER TABLE product_events ${dropChecks.join(', ')}`);
  });
}

async function wasAdopted(knex: Knex): Promise<boolean> {
  const result = await knex.raw<{ rows: { adopted: boolean }[] }>(
    `SELECT to_regclass('knex_adopted_tables') IS NOT NULL AS adopted`,
  );
  if (result.rows[0]?.adopted !== true) return false;
  const row: unknown = await knex('knex_adopted_tables')
    .where({ table_name: 'product_events' })
    .first();
  return row !== undefined;
}

export async function down(knex: Knex): Promise<void> {
  // An adopted table had them NOT NULL before this project came: that is its shape to keep.
  if (await wasAdopted(knex)) return;
  await withLockTimeout(knex, async (trx) => {
    const steps = columns.map((column) => `ALTER COLUMN ${column} DROP NOT NULL`);
    await trx.raw(`ALTER TABLE product_events ${steps.join(', ')}`);
  });
}
