// The one place that says how knex reaches the database and where the migrations live; the CLI's
// knexfile, the service and the tests all build their knex from here.
import { join } from 'node:path';
import type { Knex } from 'knex';
import { readDatabaseSetting, type DatabaseSetting } from '../runtime/database-setting.ts';
import { pgConnection } from './pg-connection.ts';

const repoRoot = join(import.meta.dirname, '..', '..');

export const migrationsConfig = Object.freeze({
  directory: join(repoRoot, 'migrations'),
  tableName: 'knex_migrations',
  // New migrations are TypeScript, from our stub: knex's own .ts stub imports `Knex` as a value,
  // which Node's type stripping cannot run.
  extension: 'ts',
  loadExtensions: ['.ts'],
  // In a folder of its own: knex lists migrations/ alone, so it never runs the stub, while
  // `npm run lint` and tsc check it as the code every new migration starts from.
  stub: join(repoRoot, 'migrations', 'stub', 'migration.ts'),
});

/** A bare URL (tests, the bench's scratch databases) is read as DATABASE_URL alone would be:
 * its own sslmode, no password file, no libpq environment. */
export function knexConfig(database: string | DatabaseSetting, poolMax = 10): Knex.Config {
  const setting =
    typeof database === 'string'
      ? readDatabaseSetting({}, database, 'DATABASE_URL', 'DATABASE_PASSWORD_FILE')
      : database;
  return {
    client: 'pg',
    connection: pgConnection(setting),
    pool: { min: 0, max: poolMax },
    migrations: { ...migrationsConfig, loadExtensions: [...migrationsConfig.loadExtensions] },
  };
}
