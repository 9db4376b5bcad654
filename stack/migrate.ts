// Runs the pending migrations (what `npx knex migrate:latest` does), for scripts that chain steps.
import { loadConfigOrExit } from '../src/runtime/load-config.ts';
import { parseArgsOrExit, parseNoOptions } from '../src/runtime/parse-args-or-exit.ts';
import { migrateUsage } from './stack-usage.ts';
import { connectDatabase } from '../src/storage/connection.ts';

parseArgsOrExit(parseNoOptions, migrateUsage);
// Migrations run as the role that owns the tables.
const db = connectDatabase(loadConfigOrExit().migrationsDatabaseUrl, 1);
try {
  const [batch, names] = (await db.migrate.latest()) as [number, string[]];
  process.stdout.write(
    names.length === 0
      ? 'Already up to date\n'
      : `Batch ${batch} run: ${names.length} migrations\n`,
  );
} finally {
  await db.destroy();
}
