// `npm run db:migrate:down [-- --drop-data]`: undoes the LAST migration only (knex's migrate:down,
// not migrate:rollback, which undoes a whole batch: all six on a fresh install). A migration
// whose down() would drop stored rows refuses unless --drop-data is given; the flag reaches it as
// knex's userParams.dropData, which a migration reads from the knex it is handed.
import { parseArgs } from 'node:util';
import { parseArgsOrExit } from '../../src/runtime/parse-args-or-exit.ts';
import { migrateDownUsage } from './migration-usage.ts';
import { runMigrationCommand } from './migration-command.ts';

export function parseMigrateDownOptions(args: readonly string[]): { dropData: boolean } {
  const { values } = parseArgs({
    args: [...args],
    options: { 'drop-data': { type: 'boolean', default: false } },
    strict: true,
  });
  return { dropData: values['drop-data'] };
}

const { dropData } = parseArgsOrExit(parseMigrateDownOptions, migrateDownUsage);
await runMigrationCommand(
  'db:migrate:down',
  async (db, logger) => {
    const [, undone] = (await db.migrate.down()) as [number, string[]];
    const [applied] = (await db.migrate.list()) as [unknown[], unknown[]];
    if (undone.length === 0) logger.info('Already at the base migration');
    else
      logger.info(`rolled back ${undone.join(', ')}`, {
        stillApplied: applied.length,
        ...(dropData ? { dropData } : {}),
      });
  },
  { dropData },
);
