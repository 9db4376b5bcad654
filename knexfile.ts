// knex CLI configuration (`npx knex migrate:latest`, `npx knex migrate:rollback`, ...).
import { knexConfig } from './src/db/knex-config.ts';
import { loadEnvFile, readConfig } from './src/config/config.ts';

loadEnvFile();

export default knexConfig(readConfig().databaseUrl);
