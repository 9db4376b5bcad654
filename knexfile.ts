// knex CLI configuration (`npx knex migrate:latest`, `npx knex migrate:rollback`, ...).
import { knexConfig } from './src/storage/knex-config.ts';
import { loadEnvFile, readMigrationsDatabase } from './src/runtime/config.ts';

loadEnvFile();

// Migrations run as the role that owns the tables (MIGRATIONS_DATABASE_URL), and read nothing
// else: a bad unrelated setting does not stop them.
export default knexConfig(readMigrationsDatabase());
