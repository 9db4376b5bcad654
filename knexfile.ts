// knex CLI configuration (`npx knex migrate:latest`, `npx knex migrate:rollback`, ...).
import { knexConfig } from './src/storage/knex-config.ts';
import { loadEnvFile, readConfig } from './src/runtime/config.ts';

loadEnvFile();

// Migrations run as the role that owns the tables (MIGRATIONS_DATABASE_URL).
export default knexConfig(readConfig().migrationsDatabaseUrl);
