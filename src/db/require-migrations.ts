// The consumer writes columns that migrations create; it refuses to start on an older schema
// instead of failing on its first batch.
import type { Knex } from 'knex';
import { ServiceError } from '../errors/error-codes.ts';

export async function requireMigrations(db: Knex): Promise<void> {
  const [, pending] = (await db.migrate.list()) as [unknown[], { file: string }[]];
  if (pending.length > 0) {
    const names = pending.map((migration) => migration.file).join(', ');
    throw new ServiceError(
      'DATABASE_NOT_MIGRATED',
      `the database lacks ${pending.length} migration(s) this consumer needs (${names}): run \`npm run db:migrate\``,
    );
  }
}
