// `npm run db:migrate`: runs the pending migrations (what `npx knex migrate:latest` does), as the
// owner role. backend:old/new run it before the consumer.
import { parseArgsOrExit, parseNoOptions } from '../../src/runtime/parse-args-or-exit.ts';
import { migrateUsage } from './migration-usage.ts';
import { runMigrationCommand } from './migration-command.ts';

parseArgsOrExit(parseNoOptions, migrateUsage);
await runMigrationCommand('db:migrate', async (db, logger) => {
  const [batch, names] = (await db.migrate.latest()) as [number, string[]];
  if (names.length === 0) logger.info('migrations already up to date');
  else logger.info(`batch ${batch} run: ${names.length} migrations`, { migrations: names });
});
