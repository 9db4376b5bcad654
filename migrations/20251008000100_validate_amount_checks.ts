// Validates the CHECKs the previous migration added NOT VALID. VALIDATE CONSTRAINT takes only a
// SHARE UPDATE EXCLUSIVE lock, so inserts and updates carry on while it scans the table.
// transaction: false, because knex otherwise runs all pending migrations in ONE transaction, and
// the scan would then happen while the previous migration's exclusive lock is still held.
// Self-contained: a migration is a snapshot, so the checks it validates are written out here
// rather than imported from the migration that added them.
import type { Knex } from 'knex';

const lockTimeout = '5s';
const amountChecks = {
  product_events_discount_amount_not_negative: 'CHECK (discount_amount >= 0)',
  product_events_tax_amount_not_negative: 'CHECK (tax_amount >= 0)',
} as const;
const addAmountChecksNotValid = Object.entries(amountChecks)
  .map(([name, check]) => `ADD CONSTRAINT ${name} ${check} NOT VALID`)
  .join(',\n      ');

export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  await knex.transaction(async (trx) => {
    await trx.raw(`SET LOCAL lock_timeout = '${lockTimeout}'`);
    for (const name of Object.keys(amountChecks)) {
      await trx.raw('ALTER TABLE product_events VALIDATE CONSTRAINT ??', [name]);
    }
  });
}

export async function down(knex: Knex): Promise<void> {
  // A constraint cannot be marked NOT VALID again, so put back the unvalidated ones exactly.
  await knex.transaction(async (trx) => {
    await trx.raw(`SET LOCAL lock_timeout = '${lockTimeout}'`);
    const drops = Object.keys(amountChecks).map((name) => `DROP CONSTRAINT ${name}`);
    await trx.raw(`ALTER TABLE product_events ${drops.join(', ')}, ${addAmountChecksNotValid}`);
  });
}
