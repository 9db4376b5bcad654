// What this migration changes, and why. Self-contained: a migration is a frozen snapshot, so it
// imports nothing that may change later (copy what it needs from elsewhere).
// Adds a table or a column the consumer writes? Grant it to the writer here (see
// 20261126000300_writer_least_privilege.ts for how), and add it to src/storage/writer-privileges.ts:
// column privileges are not granted by default.
import type { Knex } from 'knex';

// On a busy table, fail fast (and run again) rather than queue behind a long transaction while
// every writer queues behind this migration.
const lockTimeout = '5s';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`SET LOCAL lock_timeout = '${lockTimeout}'`);
  // The change, e.g. await knex.raw('ALTER TABLE product_events ADD COLUMN note text');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`SET LOCAL lock_timeout = '${lockTimeout}'`);
  // Its exact reverse. Dropping a table or a column that holds data? Refuse unless
  // knex.userParams.dropData is true (`npm run db:migrate:down -- --drop-data`), as
  // 20251001000000_create_product_events.ts does, naming the table and its rows.
}
