// Usage texts of db:migrate and db:migrate:down, which the image runs too (Dockerfile).
import { settingsNote } from '../../src/runtime/parse-args-or-exit.ts';

const help = '  -h, --help   show this help';

export const migrateUsage = `usage: npm run db:migrate

Runs the pending migrations as the owner role (MIGRATIONS_DATABASE_URL, else DATABASE_URL).
Reads nothing else but LOG_LEVEL and LOG_FORMAT. \`npx knex migrate:latest\` does the same.

${help}

${settingsNote}`;

export const migrateDownUsage = `usage: npm run db:migrate:down [-- --drop-data]

Rolls back the LAST migration only; run it again to undo the one before. A rollback that would
drop a table or columns holding stored data refuses, names the table and the rows, and changes
nothing (exit 1), unless --drop-data is given. Runs as the owner role (MIGRATIONS_DATABASE_URL,
else DATABASE_URL).

  --drop-data  let this rollback drop stored data (back it up first)
${help}

${settingsNote}`;
