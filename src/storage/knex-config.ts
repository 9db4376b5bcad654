// The one place that says how knex reaches the database and where the migrations live; the CLI's
// knexfile, the service and the tests all build their knex from here.
import { join } from 'node:path';
import type { Knex } from 'knex';

const repoRoot = join(import.meta.dirname, '..', '..');

export const migrationsConfig = Object.freeze({
  directory: join(repoRoot, 'migrations'),
  tableName: 'knex_migrations',
  // New migrations are TypeScript, from our stub: knex's own .ts stub imports `Knex` as a value,
  // which Node's type stripping cannot run.
  extension: 'ts',
  loadExtensions: ['.ts'],
  stub: join(repoRoot, 'migrations', 'migration.stub'),
});

export function knexConfig(databaseUrl: string, poolMax = 10): Knex.Config {
  return {
    client: 'pg',
    connection: databaseUrl,
    pool: { min: 0, max: poolMax },
    migrations: { ...migrationsConfig, loadExtensions: [...migrationsConfig.loadExtensions] },
  };
}
