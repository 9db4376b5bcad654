// The migrations on the database the original system (Sequelize) created, run as its operator
// runs them (`npm run db:migrate`, `npm run db:migrate:down`): the table is adopted with its rows,
// never dropped, and a table of another shape is refused (docs/adopting-an-existing-database.md).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { generateNewEvent, generateOldEvent } from '../../../src/apps/producer/generate-event.ts';
import type { ProductPurchasedV2 } from '../../../src/domain/schemas/types.ts';
import {
  columnShapes,
  indexNames,
  productEventsCatalog,
  tableNames,
} from '../../support/catalog-snapshot.ts';
import {
  createOriginalDatabase,
  insertAsOriginalConsumer,
  sequelizeIndexes,
} from '../../support/original-system.ts';
import { createPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.ts';
import { logText } from '../../support/log-lines.ts';
import { runNpmScript } from '../../support/run-npm-script.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../support/scratch-database.ts';
import { testServices } from '../../support/services.ts';

const allMigrations = readdirSync(join(import.meta.dirname, '..', '..', '..', 'migrations'))
  .filter((file) => file.endsWith('.ts'))
  .sort();
const v2Columns = ['discount_code', 'discount_amount', 'tax_amount'];

/** As the operator runs it: one database, migrations and consumer URLs both pointing at it. The
 * output is what a person reads in the log lines. */
const npmRun = async (script: 'db:migrate' | 'db:migrate:down', databaseUrl: string) => {
  const { code, output } = await runNpmScript(script, {
    DATABASE_URL: databaseUrl,
    MIGRATIONS_DATABASE_URL: databaseUrl,
    LOG_FORMAT: 'json',
  });
  return { code, output: logText(output) };
};

async function storeOriginalRows(db: Knex, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const event = i % 2 === 0 ? generateOldEvent() : generateNewEvent();
    await insertAsOriginalConsumer(db, event, new Date(Date.UTC(2025, 9, 8, 12, 0, i)));
  }
}

const everyRow = (db: Knex, columns: readonly string[] = ['*']) =>
  db('product_events')
    .select<Record<string, unknown>[]>(...columns)
    .orderBy('id');

async function appliedMigrations(db: Knex): Promise<string[]> {
  return db('knex_migrations').orderBy('id').pluck('name');
}

/** The original consumer, still running: one INSERT after another until stopped. */
function keepInsertingAsOriginalConsumer(db: Knex) {
  let running = true;
  const failures: unknown[] = [];
  let inserted = 0;
  const loop = (async () => {
    while (running) {
      await insertAsOriginalConsumer(db, generateOldEvent()).then(
        () => (inserted += 1),
        (error: unknown) => failures.push(error),
      );
    }
  })();
  return async () => {
    running = false;
    await loop;
    return { inserted, failures };
  };
}

describe('db:migrate on the database the original system created', function () {
  this.timeout(120_000);
  let scratch: ScratchDatabase;

  beforeEach(async () => {
    scratch = await createScratchDatabase((await testServices()).databaseUrl);
  });
  afterEach(async () => {
    await scratch.drop();
  });

  it('adopts product_events with its rows while the original consumer keeps inserting, then runs the later migrations on top', async () => {
    await createOriginalDatabase(scratch.db);
    await storeOriginalRows(scratch.db, 40);
    const rowsBefore = await everyRow(scratch.db);
    const shapeBefore = await columnShapes(scratch.db);

    const stopInserting = keepInsertingAsOriginalConsumer(scratch.db);
    const migrated = await npmRun('db:migrate', scratch.url);
    const originalConsumer = await stopInserting();

    expect(migrated.code, migrated.output).to.equal(0);
    expect(migrated.output).to.match(
      /product_events already exists with the original shape: adopted/,
    );
    expect(originalConsumer.failures).to.deep.equal([]);
    expect(originalConsumer.inserted).to.be.greaterThan(0);
    expect(await appliedMigrations(scratch.db)).to.deep.equal(allMigrations);

    const originalColumns = Object.keys(rowsBefore[0] ?? {});
    const rowsAfter = await everyRow(scratch.db, originalColumns);
    expect(rowsAfter.slice(0, rowsBefore.length)).to.deep.equal(rowsBefore);
    expect(rowsAfter).to.have.length(rowsBefore.length + originalConsumer.inserted);
    const shapeAfter = await columnShapes(scratch.db);
    expect(shapeAfter.slice(0, shapeBefore.length)).to.deep.equal(shapeBefore);
    expect(shapeAfter.map((column) => column.name)).to.include.members(v2Columns);
    expect(await tableNames(scratch.db, false)).to.include.members([
      'SequelizeMeta',
      'product_events',
      'shipping_addresses',
    ]);
    expect(await scratch.db('SequelizeMeta').pluck('name')).to.deep.equal([
      '20251008000000-create-product-events.js',
    ]);
    expect(await indexNames(scratch.db)).to.include.members(sequelizeIndexes);
  });

  it('refuses a product_events of another shape, naming each difference, and changes nothing', async () => {
    await createOriginalDatabase(scratch.db);
    await storeOriginalRows(scratch.db, 5);
    // Generated rows may lack a category (one sample product has none), which SET NOT NULL refuses.
    await scratch.db('product_events').whereNull('category').update({ category: 'Tea' });
    await scratch.db.raw(`
      ALTER TABLE product_events
        ALTER COLUMN price TYPE numeric(12, 2),
        ALTER COLUMN category SET NOT NULL,
        ALTER COLUMN created_at DROP NOT NULL,
        ALTER COLUMN currency SET DEFAULT 'EUR',
        DROP COLUMN metadata,
        ADD COLUMN note text,
        DROP CONSTRAINT product_events_event_id_key`);
    const catalogBefore = await productEventsCatalog(scratch.db);
    const rowsBefore = await everyRow(scratch.db);

    const migrated = await npmRun('db:migrate', scratch.url);

    expect(migrated.code).to.not.equal(0);
    expect(migrated.output).to.include('product_events already exists but is not the original');
    for (const difference of [
      'column "price" is numeric(12,2), the original is numeric(10,2)',
      'column "category" is NOT NULL, the original is nullable',
      'column "created_at" is nullable, the original is NOT NULL',
      `column "currency" has DEFAULT 'EUR'::character varying, the original has DEFAULT 'USD'::character varying`,
      'column "metadata" is missing',
      'column "note" is not in the original table',
      'column "event_id" has no unique constraint or unique index',
    ])
      expect(migrated.output).to.include(`  - ${difference}\n`);
    expect(await productEventsCatalog(scratch.db)).to.deep.equal(catalogBefore);
    expect(await everyRow(scratch.db)).to.deep.equal(rowsBefore);
    expect(await appliedMigrations(scratch.db)).to.deep.equal([]);
  });

  it('db:migrate:down repeated to the bottom keeps product_events as the original had it, with every row; db:migrate adopts it again', async () => {
    await createOriginalDatabase(scratch.db);
    await storeOriginalRows(scratch.db, 20);
    const rowsBefore = await everyRow(scratch.db);
    const catalogBefore = await productEventsCatalog(scratch.db);
    const tablesBefore = await tableNames(scratch.db);
    expect((await npmRun('db:migrate', scratch.url)).code).to.equal(0);

    const outputs: string[] = [];
    // One migration per run, then one more that says there is nothing left.
    for (let run = 0; run <= allMigrations.length; run++) {
      const rolledBack = await npmRun('db:migrate:down', scratch.url);
      expect(rolledBack.code, rolledBack.output).to.equal(0);
      outputs.push(rolledBack.output);
      if (rolledBack.output.includes('Already at the base migration')) break;
    }
    expect(outputs.at(-1)).to.include('Already at the base migration');
    expect(await appliedMigrations(scratch.db)).to.deep.equal([]);
    expect(await everyRow(scratch.db)).to.deep.equal(rowsBefore);
    expect(await productEventsCatalog(scratch.db)).to.deep.equal(catalogBefore);
    expect(outputs.join('')).to.include('kept product_events and its rows');
    expect(await tableNames(scratch.db)).to.have.members([
      ...tablesBefore,
      'knex_migrations',
      'knex_migrations_lock',
    ]);

    const again = await npmRun('db:migrate', scratch.url);
    expect(again.code, again.output).to.equal(0);
    expect(again.output).to.match(/adopted/);
    expect(await appliedMigrations(scratch.db)).to.deep.equal(allMigrations);
  });

  it('gives a fresh database the same product_events as an adopted one', async () => {
    const fresh = await createScratchDatabase((await testServices()).databaseUrl);
    try {
      expect((await npmRun('db:migrate', fresh.url)).code).to.equal(0);
      await createOriginalDatabase(scratch.db);
      expect((await npmRun('db:migrate', scratch.url)).code).to.equal(0);

      const adoptedShape = await columnShapes(scratch.db);
      expect(await columnShapes(fresh.db)).to.deep.equal(adoptedShape);
      expect(adoptedShape.find((column) => column.name === 'created_at')).to.deep.include({
        not_null: true,
        default_value: 'CURRENT_TIMESTAMP',
      });
    } finally {
      await fresh.drop();
    }
  });
});

describe('the consumer on an adopted database', function () {
  this.timeout(120_000);
  let harness: PipelineHarness;

  beforeEach(async () => {
    harness = await createPipelineHarness({ migrate: false, partitions: 2 });
    await createOriginalDatabase(harness.db);
  });
  afterEach(async () => {
    await harness.close();
  });

  it('stores old- and new-shape events next to the original rows, fills v2 fields of a row the original stored, and the original INSERT still works', async () => {
    await storeOriginalRows(harness.db, 10);
    const storedByOriginal: ProductPurchasedV2 = { ...generateOldEvent(), taxAmount: 4.2 };
    await insertAsOriginalConsumer(harness.db, storedByOriginal);
    const originalRows = await everyRow(harness.db);
    const migrated = await npmRun('db:migrate', harness.databaseUrl);
    expect(migrated.code, migrated.output).to.equal(0);

    const old = Array.from({ length: 10 }, () => generateOldEvent());
    const withEverything: ProductPurchasedV2[] = Array.from({ length: 10 }, () => ({
      ...generateOldEvent(),
      discountCode: 'WELCOME10',
      discountAmount: 1.25,
      taxAmount: 2.5,
      shippingAddress: { street: 'Unter den Linden 6', city: 'Berlin', country: 'Germany' },
    }));
    await harness.startConsumer();
    await harness.produceEvents([...old, ...withEverything, storedByOriginal]);
    const expected = originalRows.length + old.length + withEverything.length;
    await harness.waitForRows(expected);
    await harness.waitForRows(withEverything.length, 'shipping_addresses');

    // Rows the consumer stored: NOT NULL timestamps filled, v2 fields as sent.
    const stored = await harness
      .db('product_events')
      .whereIn(
        'event_id',
        withEverything.map((event) => event.eventId),
      )
      .select('discount_code', 'discount_amount', 'tax_amount', 'created_at');
    expect(stored).to.have.length(withEverything.length);
    for (const row of stored as Record<string, unknown>[])
      expect(row).to.deep.include({
        discount_code: 'WELCOME10',
        discount_amount: '1.25',
        tax_amount: '2.50',
      });
    for (const row of stored as { created_at: unknown }[])
      expect(row.created_at).to.be.instanceOf(Date);
    // The event the original consumer had stored without its tax: filled in, as a replay does.
    const backfilled: unknown = await harness
      .db('product_events')
      .where({ event_id: storedByOriginal.eventId })
      .first('tax_amount');
    expect(backfilled).to.deep.equal({ tax_amount: '4.20' });
    // The original rows, their original columns untouched (updated_at moves where v2 was filled).
    const originalColumns = Object.keys(originalRows[0] ?? {}).filter(
      (column) => column !== 'updated_at',
    );
    const rowsThen = await everyRow(harness.db, originalColumns);
    const originalValues = originalRows.map((row) =>
      Object.fromEntries(originalColumns.map((column) => [column, row[column]])),
    );
    expect(rowsThen.slice(0, originalRows.length)).to.deep.equal(originalValues);

    // The original consumer, still running after the cut-over: its INSERT, new columns NULL.
    const id = await insertAsOriginalConsumer(harness.db, generateOldEvent());
    const inserted: unknown = await harness
      .db('product_events')
      .where({ id })
      .first(...v2Columns);
    expect(inserted).to.deep.equal({
      discount_code: null,
      discount_amount: null,
      tax_amount: null,
    });
    await harness.waitForRows(expected + 1);
    expect(harness.fatalErrors).to.deep.equal([]);
    expect(await harness.deadLetterCount()).to.equal(0);
  });
});
