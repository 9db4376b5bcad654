// Schema v2: discount, tax and shipping address.
// - New columns are nullable with no default: NULL means "the event did not say", 0 means "zero".
//   Old rows read as NULL, and adding a nullable column without a default rewrites nothing.
// - The address is a table, not JSONB: its fields get types, NOT NULL and length limits, and
//   queries can filter and index them; it is keyed by event_id and goes with its event.
// - CHECKs are added NOT VALID, so Postgres does not scan the table while holding the exclusive
//   lock; the next migration validates them without blocking writers.
// - lock_timeout: on a busy table, fail fast (and run again) rather than queue behind a long
//   transaction while every writer queues behind us.
// - Rolling back keeps every original-shape column and row; it drops the v2 columns and the
//   address table, so it refuses while they hold data unless asked to drop it (`npm run
//   db:migrate:down -- --drop-data`).
import type { Knex } from 'knex';

export const lockTimeout = '5s';

/** Amount checks by name; the next migration validates them. */
export const amountChecks = {
  product_events_discount_amount_not_negative: 'CHECK (discount_amount >= 0)',
  product_events_tax_amount_not_negative: 'CHECK (tax_amount >= 0)',
} as const;

export const addAmountChecksNotValid = Object.entries(amountChecks)
  .map(([name, check]) => `ADD CONSTRAINT ${name} ${check} NOT VALID`)
  .join(',\n      ');

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`SET LOCAL lock_timeout = '${lockTimeout}'`);
  await knex.raw(`
    ALTER TABLE product_events
      ADD COLUMN discount_code varchar(100),
      ADD COLUMN discount_amount numeric(10, 2),
      ADD COLUMN tax_amount numeric(10, 2),
      ${addAmountChecksNotValid}
  `);
  await knex.schema.createTable('shipping_addresses', (table) => {
    table
      .string('event_id', 255)
      .primary()
      .references('event_id')
      .inTable('product_events')
      .onDelete('CASCADE');
    table.string('street', 255).notNullable();
    table.string('city', 255).notNullable();
    table.string('state', 100).nullable();
    table.string('zip_code', 20).nullable();
    table.string('country', 100).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

const migration = '20251008000000_add_discount_tax_and_shipping_address.ts';

/** What the rollback would drop with the v2 columns and the address table, in words; '' if nothing. */
async function v2DataHeld(knex: Knex): Promise<string> {
  const result = await knex.raw<{ rows: { addresses: string; amounts: string }[] }>(`
    SELECT (SELECT count(*) FROM shipping_addresses) AS addresses,
           (SELECT count(*) FROM product_events
            WHERE discount_code IS NOT NULL OR discount_amount IS NOT NULL
               OR tax_amount IS NOT NULL) AS amounts`);
  const addresses = Number(result.rows[0]?.addresses ?? 0);
  const amounts = Number(result.rows[0]?.amounts ?? 0);
  const held = [];
  if (addresses > 0) held.push(`shipping_addresses holds ${addresses} rows`);
  if (amounts > 0) held.push(`product_events has discount or tax values in ${amounts} rows`);
  return held.join(' and ');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`SET LOCAL lock_timeout = '${lockTimeout}'`);
  // The flag arrives as knex's userParams.dropData (stack/postgres/migrate-down.ts sets it).
  if ((knex.userParams as { dropData?: unknown }).dropData !== true) {
    const held = await v2DataHeld(knex);
    if (held !== '') {
      throw Object.assign(
        new Error(
          `${held}: rolling back ${migration} would drop them, so nothing was changed; ` +
            'back them up, then run `npm run db:migrate:down -- --drop-data`',
        ),
        { code: 'MIGRATION_WOULD_DROP_DATA' },
      );
    }
  }
  await knex.schema.dropTable('shipping_addresses');
  await knex.raw(`
    ALTER TABLE product_events
      DROP CONSTRAINT product_events_tax_amount_not_negative,
      DROP CONSTRAINT product_events_discount_amount_not_negative,
      DROP COLUMN tax_amount,
      DROP COLUMN discount_amount,
      DROP COLUMN discount_code
  `);
}
