// Migrations on a real Postgres: reversible, kind to rows already stored, and quick to give up
// on a busy table instead of blocking every writer.
import { expect } from 'chai';
import knexFactory from 'knex';
import type pg from 'pg';
import { knexConfig } from '../../../src/storage/knex-config.ts';
import { requireMigrations } from '../../../src/storage/require-migrations.ts';
import { ServiceError } from '../../../src/domain/errors/error-codes.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../support/scratch-database.ts';
import { testServices } from '../../support/services.ts';

const originalRow = {
  event_id: 'evt_0000000000000001',
  event_type: 'product.purchased',
  timestamp: new Date('2025-10-08T15:30:22.456Z'),
  user_id: 'user_12345',
  product_id: 'prod_abc123',
  product_name: 'Wireless Headphones',
  category: 'Electronics',
  price: '129.99',
  currency: 'USD',
  quantity: 2,
  metadata: { source: 'mobile_app', sessionId: 'sess_xyz789' },
};
const originalColumns = Object.keys(originalRow);

const v2Migration = '20251008000000_add_discount_tax_and_shipping_address.ts';
const timestampsMigration = '20261126000100_timestamps_not_null_as_original.ts';

/** Rolls back one migration at a time until `name` is undone (later ones are undone first),
 * allowed to drop the data they added (as `npm run db:migrate:down -- --drop-data` is). */
async function rollBackTo(scratch: ScratchDatabase, name: string): Promise<void> {
  const db = scratch.db.withUserParams({ dropData: true });
  const applied = async () => {
    const [completed] = (await db.migrate.list()) as [{ name: string }[], unknown[]];
    return completed.map((migration) => migration.name);
  };
  while ((await applied()).includes(name)) await db.migrate.down();
}

async function tables(scratch: ScratchDatabase): Promise<string[]> {
  const result = await scratch.db.raw<{ rows: { tablename: string }[] }>(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'knex_%' ORDER BY 1",
  );
  return result.rows.map((row) => row.tablename);
}

async function columns(scratch: ScratchDatabase, table: string): Promise<string[]> {
  const result = await scratch.db.raw<{ rows: { column_name: string }[] }>(
    'SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position',
    [table],
  );
  return result.rows.map((row) => row.column_name);
}

async function nullability(scratch: ScratchDatabase): Promise<Record<string, string>> {
  const result = await scratch.db.raw<{ rows: { column_name: string; is_nullable: string }[] }>(
    `SELECT column_name, is_nullable FROM information_schema.columns
     WHERE table_name = 'product_events' AND column_name IN ('created_at', 'updated_at')`,
  );
  return Object.fromEntries(result.rows.map((row) => [row.column_name, row.is_nullable]));
}

describe('the migrations', function () {
  this.timeout(60_000);
  let scratch: ScratchDatabase;

  beforeEach(async () => {
    scratch = await createScratchDatabase((await testServices()).databaseUrl);
  });
  afterEach(async () => {
    await scratch.drop();
  });

  it('go all the way up, all the way down, and up again', async () => {
    await scratch.db.migrate.latest();
    expect(await tables(scratch)).to.deep.equal(['product_events', 'shipping_addresses']);
    await scratch.db.migrate.rollback(undefined, true);
    expect(await tables(scratch)).to.deep.equal([]);
    await scratch.db.migrate.latest();
    expect(await tables(scratch)).to.deep.equal(['product_events', 'shipping_addresses']);
    expect(await columns(scratch, 'product_events')).to.include.members([
      'discount_code',
      'discount_amount',
      'tax_amount',
    ]);
  });

  it('keep a row stored before v2 readable after it, with NULL new columns, and intact after a rollback', async () => {
    await scratch.db.migrate.up(); // the original table only
    await scratch.db('product_events').insert(originalRow);

    await scratch.db.migrate.latest();
    const [afterUp] = await scratch.db<Record<string, unknown>>('product_events').select('*');
    expect(afterUp).to.deep.include({
      ...originalRow,
      discount_code: null,
      discount_amount: null,
      tax_amount: null,
    });

    await scratch
      .db('product_events')
      .where({ event_id: originalRow.event_id })
      .update({ tax_amount: '10.99' });
    await scratch.db('shipping_addresses').insert({
      event_id: originalRow.event_id,
      street: '123 Main St',
      city: 'San Francisco',
      country: 'USA',
    });
    await rollBackTo(scratch, v2Migration);
    expect(await columns(scratch, 'product_events')).to.not.include('tax_amount');
    const [afterDown] = await scratch
      .db<Record<string, unknown>>('product_events')
      .select(originalColumns);
    expect(afterDown).to.deep.equal(originalRow);

    await scratch.db.migrate.latest();
    const [afterUpAgain] = await scratch
      .db<Record<string, unknown>>('product_events')
      .select([...originalColumns, 'tax_amount']);
    expect(afterUpAgain).to.deep.equal({ ...originalRow, tax_amount: null });
  });

  it('make created_at and updated_at NOT NULL, as the original has them, filling NULLs; nullable again on rollback', async () => {
    await scratch.db.migrate.up(); // the baseline leaves them nullable
    await scratch.db('product_events').insert({ ...originalRow, created_at: null });
    await scratch.db.migrate.latest();
    expect(await nullability(scratch)).to.deep.equal({ created_at: 'NO', updated_at: 'NO' });
    const [row] = await scratch
      .db('product_events')
      .select<{ created_at: Date | null }[]>('created_at');
    expect(row?.created_at).to.be.instanceOf(Date);

    await rollBackTo(scratch, timestampsMigration);
    expect(await nullability(scratch)).to.deep.equal({ created_at: 'YES', updated_at: 'YES' });
  });

  it('set created_at and updated_at NOT NULL without scanning the table under the exclusive lock', async () => {
    const pending = async () =>
      ((await scratch.db.migrate.list()) as [unknown, { file: string }[]])[1];
    while ((await pending())[0]?.file !== timestampsMigration) await scratch.db.migrate.up();
    // Postgres says at DEBUG1 whether SET NOT NULL scans ("verifying table") or trusts a CHECK.
    const notices: string[] = [];
    const watched = knexFactory({
      ...knexConfig(scratch.url, 1),
      pool: {
        min: 0,
        max: 1,
        afterCreate: (connection: pg.Client, done: (error?: Error) => void) => {
          connection.on('notice', (notice) => notices.push(notice.message ?? ''));
          connection.query('SET client_min_messages = debug1').then(() => done(), done);
        },
      },
    });
    try {
      await watched.migrate.up(); // this migration alone
    } finally {
      await watched.destroy();
    }
    const said = (pattern: RegExp) => notices.filter((notice) => pattern.test(notice)).length;
    expect(said(/sufficient to prove that it does not contain nulls/)).to.equal(2);
    // Only the two VALIDATE CONSTRAINTs scan, and they let writers go on.
    expect(said(/verifying table "product_events"/)).to.equal(2);
  });

  it('refuse negative amounts', async () => {
    await scratch.db.migrate.latest();
    const insert = scratch
      .db('product_events')
      .insert({ ...originalRow, discount_amount: '-1.00' });
    let failure: unknown;
    await insert.catch((error: unknown) => (failure = error));
    expect((failure as { code?: string }).code).to.equal('23514'); // check_violation
  });

  it('give up on a busy table after the lock timeout instead of queueing behind it', async () => {
    await scratch.db.migrate.up();
    const blocker = await scratch.db.transaction();
    try {
      await blocker.raw('LOCK TABLE product_events IN ACCESS SHARE MODE');
      const startedAt = Date.now();
      let failure: unknown;
      await scratch.db.migrate.latest().catch((error: unknown) => (failure = error));
      expect((failure as { code?: string }).code).to.equal('55P03'); // lock_not_available
      expect(Date.now() - startedAt).to.be.within(4_000, 15_000);
    } finally {
      await blocker.rollback();
    }
    await scratch.db.migrate.latest();
    expect(await tables(scratch)).to.deep.equal(['product_events', 'shipping_addresses']);
  });
});

describe('the consumer start-up check', function () {
  this.timeout(60_000);
  let scratch: ScratchDatabase;

  beforeEach(async () => {
    scratch = await createScratchDatabase((await testServices()).databaseUrl);
  });
  afterEach(async () => {
    await scratch.drop();
  });

  it('refuses a database without product_events, naming the command that fixes it', async () => {
    let failure: unknown;
    await requireMigrations(scratch.db).catch((error: unknown) => (failure = error));
    expect(failure).to.be.instanceOf(ServiceError);
    expect((failure as ServiceError).code).to.equal('DATABASE_NOT_MIGRATED');
    expect((failure as ServiceError).message).to.match(/create_product_events.*npm run db:migrate/);
  });

  it('accepts the original schema and names the migrations still pending', async () => {
    await scratch.db.migrate.up();
    const pending = await requireMigrations(scratch.db);
    expect(pending.slice(0, 2)).to.deep.equal([
      v2Migration,
      '20251008000100_validate_amount_checks.ts',
    ]);
    expect(pending).to.include.members([
      timestampsMigration,
      '20261126000200_add_schema_version.ts',
    ]);
    await scratch.db.migrate.latest();
    expect(await requireMigrations(scratch.db)).to.deep.equal([]);
  });
});
