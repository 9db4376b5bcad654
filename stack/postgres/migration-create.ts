// `npm run db:migration:create -- <name>`: a new migration in migrations/, from the project's stub
// (TypeScript, lock_timeout set, passes `npm run lint`). knex's own `migrate:make` help describes
// knex's defaults (a .js file), not this project's; this command has its own.
import { parseArgs } from 'node:util';
import { relative } from 'node:path';
import knexFactory from 'knex';
import { parseArgsOrExit } from '../../src/runtime/parse-args-or-exit.ts';
import { migrationsConfig } from '../../src/storage/knex-config.ts';

export const migrationCreateUsage = `usage: npm run db:migration:create -- <name>

Writes migrations/<timestamp>_<name>.ts from migrations/stub/migration.ts: a TypeScript migration
with up() and down(), lock_timeout set as every migration sets it, that passes \`npm run lint\`.
Needs no database. Run it with \`npm run db:migrate\`.

  <name>       what the migration does, in letters, digits and _ (e.g. add_gift_wrap)
  -h, --help   show this help`;

export function parseMigrationName(args: readonly string[]): { name: string } {
  const { positionals } = parseArgs({ args: [...args], options: {}, allowPositionals: true });
  const [name, ...rest] = positionals;
  if (name === undefined) throw new Error('name the migration, e.g. add_gift_wrap');
  if (rest.length > 0) throw new Error(`one name only, got ${positionals.length}`);
  if (!/^[a-z0-9_]{1,80}$/i.test(name))
    throw new Error(`the name may hold letters, digits and _ only, got "${name}"`);
  return { name };
}

/** Writes the migration into `directory` and returns its path. */
export async function createMigration(
  name: string,
  directory: string = migrationsConfig.directory,
): Promise<string> {
  // make() only writes a file: the client is never connected.
  const knex = knexFactory({ client: 'pg', migrations: { ...migrationsConfig, directory } });
  try {
    return await knex.migrate.make(name);
  } finally {
    await knex.destroy();
  }
}

if (import.meta.main) {
  const { name } = parseArgsOrExit(parseMigrationName, migrationCreateUsage);
  const path = await createMigration(name);
  process.stdout.write(`created ${relative(process.cwd(), path)}\n`);
}
