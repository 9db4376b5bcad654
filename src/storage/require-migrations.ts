// Start-up check: the consumer refuses a database without product_events, and says which
// migrations are still pending on one that has it (v2 events wait for them).
import type { Knex } from 'knex';
import { ServiceError } from '../domain/errors/error-codes.ts';

/** Throws DATABASE_NOT_MIGRATED without product_events; returns the pending migrations' names. */
export async function requireMigrations(db: Knex): Promise<string[]> {
  const [, pendingMigrations] = (await db.migrate.list()) as [unknown[], { file: string }[]];
  const pending = pendingMigrations.map((migration) => migration.file);
  const hasTable = await db.schema.hasTable('product_events');
  if (!hasTable) {
    throw new ServiceError(
      'DATABASE_NOT_MIGRATED',
      `the database lacks ${pending.length} migration(s) this consumer needs (${pending.join(', ')}): run \`npm run db:migrate\``,
    );
  }
  return pending;
}
