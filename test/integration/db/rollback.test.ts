// `npm run db:migrate:down` as the task lists it ("Rollback last migration"), run as a user runs
// it: one migration per run, and never a stored row dropped without --drop-data. Real Postgres,
// a database of its own per test.
import { expect } from 'chai';
import type { Knex } from 'knex';
import { logLines, type LogLine } from '../../support/log-lines.ts';
import { runNpmScript } from '../../support/run-npm-script.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../support/scratch-database.ts';
import { testServices } from '../../support/services.ts';

const baseline = '20251001000000_create_product_events.ts';
const v2Migration = '20251008000000_add_discount_tax_and_shipping_address.ts';
const originalColumns = [
  'event_id',
  'event_type',
  'timestamp',
  'user_id',
  'product_id',
  'product_name',
  'category',
  'price',
  'currency',
  'quantity',
  'metadata',
];

const originalRow = (n: number) => ({
  event_id: `evt_rollback_${n}`,
  event_type: 'product.purchased',
  timestamp: new Date(Date.UTC(2025, 9, 8, 12, 0, n)),
  user_id: 'user_12345',
  product_id: 'prod_abc123',
  product_name: 'Wireless Headphones',
  category: 'Electronics',
  price: '129.99',
  currency: 'USD',
  quantity: 2,
  metadata: { source: 'mobile_app' },
});

async function migrateDown(
  scratch: ScratchDatabase,
  ...args: string[]
): Promise<{ code: number | null; lines: LogLine[] }> {
  const { code, output } = await runNpmScript(
    'db:migrate:down',
    { MIGRATIONS_DATABASE_URL: scratch.url, LOG_FORMAT: 'json', LOG_LEVEL: 'info' },
    args,
  );
  return { code, lines: logLines(output) };
}

const applied = async (db: Knex): Promise<string[]> =>
  db('knex_migrations').orderBy('id').pluck('name');
const originalRows = (db: Knex) =>
  db('product_events').select<Record<string, unknown>[]>(originalColumns).orderBy('event_id');
const hasTable = (db: Knex, table: string) => db.schema.hasTable(table);

describe('npm run db:migrate:down', function () {
  this.timeout(120_000);
  let scratch: ScratchDatabase;

  beforeEach(async () => {
    scratch = await createScratchDatabase((await testServices()).databaseUrl);
    await scratch.db.migrate.latest();
    await scratch.db('product_events').insert([1, 2, 3].map(originalRow));
  });
  afterEach(async () => {
    await scratch.drop();
  });

  it('after a full migrate undoes the last migration only and keeps every row', async () => {
    const before = await applied(scratch.db);
    const rows = await originalRows(scratch.db);

    const { code, lines } = await migrateDown(scratch);

    expect(code, JSON.stringify(lines)).to.equal(0);
    expect(await applied(scratch.db)).to.deep.equal(before.slice(0, -1));
    expect(await originalRows(scratch.db)).to.deep.equal(rows);
    expect(lines.map((line) => line.message)).to.deep.equal([`rolled back ${before.at(-1)}`]);
  });

  it('walks back one migration per run, keeping every original-shape column and row, and refuses at the baseline naming the table and its rows', async () => {
    const all = await applied(scratch.db);
    const rows = await originalRows(scratch.db);
    for (let left = all.length - 1; left >= 1; left--) {
      const { code, lines } = await migrateDown(scratch);
      expect(code, JSON.stringify(lines)).to.equal(0);
      expect(await applied(scratch.db)).to.deep.equal(all.slice(0, left));
      expect(await originalRows(scratch.db)).to.deep.equal(rows);
    }
    expect(await applied(scratch.db)).to.deep.equal([baseline]);

    const refused = await migrateDown(scratch);

    expect(refused.code).to.equal(1);
    expect(refused.lines).to.have.length(1);
    expect(refused.lines[0]).to.deep.include({
      level: 'error',
      code: 'MIGRATION_WOULD_DROP_DATA',
      message:
        `product_events holds 3 rows: rolling back ${baseline} would drop the table with them, ` +
        'so nothing was changed; back them up, then run `npm run db:migrate:down -- --drop-data`',
    });
    expect(await applied(scratch.db)).to.deep.equal([baseline]);
    expect(await originalRows(scratch.db)).to.deep.equal(rows);
  });

  it('drops the baseline table with its rows when given --drop-data', async () => {
    const db = scratch.db.withUserParams({ dropData: false });
    while ((await applied(db)).length > 1) await db.migrate.down();

    const { code, lines } = await migrateDown(scratch, '--drop-data');

    expect(code, JSON.stringify(lines)).to.equal(0);
    expect(await hasTable(scratch.db, 'product_events')).to.equal(false);
    expect(await applied(scratch.db)).to.deep.equal([]);
  });

  it('refuses to roll back v2 while addresses or amounts are stored, and with --drop-data drops only them', async () => {
    await scratch.db('product_events').where({ event_id: 'evt_rollback_1' }).update({
      tax_amount: '10.99',
    });
    await scratch.db('shipping_addresses').insert(
      ['evt_rollback_1', 'evt_rollback_2'].map((eventId) => ({
        event_id: eventId,
        street: '123 Main St',
        city: 'San Francisco',
        country: 'USA',
      })),
    );
    const rows = await originalRows(scratch.db);
    const db = scratch.db.withUserParams({});
    while ((await applied(db)).at(-1) !== v2Migration) await db.migrate.down();

    const refused = await migrateDown(scratch);

    expect(refused.code).to.equal(1);
    expect(refused.lines).to.have.length(1);
    expect(refused.lines[0]?.message).to.equal(
      'shipping_addresses holds 2 rows and product_events has discount or tax values in 1 rows: ' +
        `rolling back ${v2Migration} would drop them, so nothing was changed; ` +
        'back them up, then run `npm run db:migrate:down -- --drop-data`',
    );
    expect(await scratch.db('shipping_addresses').count<{ n: string }[]>({ n: '*' })).to.deep.equal(
      [{ n: '2' }],
    );

    const dropped = await migrateDown(scratch, '--drop-data');

    expect(dropped.code, JSON.stringify(dropped.lines)).to.equal(0);
    expect(await hasTable(scratch.db, 'shipping_addresses')).to.equal(false);
    expect(await originalRows(scratch.db)).to.deep.equal(rows);
  });
});
