// Least privilege, as the local stack sets it up: migrations run as the owner role; the consumer's
// role stores events but can change no schema and delete nothing.
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import knexFactory, { type Knex } from 'knex';
import { writeEvents } from '../../../src/consumer/write-events.ts';
import { connectDatabase } from '../../../src/db/connection.ts';
import { requireMigrations } from '../../../src/db/require-migrations.ts';
import { generateNewEvent } from '../../../src/producer/generate-event.ts';
import { ensureDatabaseAndRoles, rolePlan } from '../../../stack/database-roles.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../support/scratch-database.ts';
import { testServices } from '../../support/services.ts';

const asRole = (url: string, role: string, password: string) => {
  const copy = new URL(url);
  copy.username = role;
  copy.password = password;
  return copy.toString();
};

async function sqlState(query: Promise<unknown>): Promise<string | undefined> {
  try {
    await query;
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('the database roles', function () {
  this.timeout(60_000);
  const suffix = randomBytes(4).toString('hex');
  const owner = `test_owner_${suffix}`;
  const writer = `test_writer_${suffix}`;
  let scratch: ScratchDatabase;
  let ownerDb: Knex;
  let writerDb: Knex;

  before(async () => {
    const adminUrl = (await testServices()).databaseUrl;
    scratch = await createScratchDatabase(adminUrl);
    const database = new URL(scratch.url).pathname.slice(1);
    const ownerUrl = asRole(scratch.url, owner, 'owner-pw');
    const writerUrl = asRole(scratch.url, writer, 'writer-pw');
    await ensureDatabaseAndRoles(adminUrl, rolePlan(writerUrl, ownerUrl), database);
    ownerDb = connectDatabase(ownerUrl);
    writerDb = connectDatabase(writerUrl);
    await ownerDb.migrate.latest();
  });
  after(async () => {
    await writerDb.destroy();
    await ownerDb.destroy();
    await scratch.drop();
    const admin = knexFactory({ client: 'pg', connection: (await testServices()).databaseUrl });
    await admin.raw(`DROP ROLE IF EXISTS ${writer}, ${owner}`);
    await admin.destroy();
  });

  it('let migrations create tables owned by the owner role', async () => {
    const owners = await scratch
      .db('pg_tables')
      .where({ schemaname: 'public' })
      .distinct()
      .pluck('tableowner');
    expect(owners).to.deep.equal([owner]);
  });

  it('let the consumer role check the migrations and store events with their addresses', async () => {
    expect(await requireMigrations(writerDb)).to.deep.equal([]);
    const event = {
      ...generateNewEvent(),
      shippingAddress: { street: 's', city: 'c', country: 'USA' },
    };
    const result = await writeEvents(writerDb, [event], 'v2');
    expect(result.stored).to.equal(1);
    expect(
      await writerDb('shipping_addresses').count<{ count: string }[]>({ count: '*' }),
    ).to.deep.equal([{ count: '1' }]);
  });

  it('refuse the consumer role any change of schema, and deleting rows', async () => {
    const denied = '42501'; // insufficient_privilege (42501) for tables, schema and sequences alike
    expect(await sqlState(writerDb.raw('CREATE TABLE sneaky (id int)'))).to.equal(denied);
    expect(
      await sqlState(writerDb.raw('ALTER TABLE product_events ADD COLUMN sneaky int')),
    ).to.equal(denied);
    expect(
      await sqlState(writerDb.raw('CREATE INDEX sneaky ON product_events (currency)')),
    ).to.equal(denied);
    expect(await sqlState(writerDb.raw('DROP TABLE shipping_addresses'))).to.equal(denied);
    expect(await sqlState(writerDb.raw('TRUNCATE product_events'))).to.equal(denied);
    expect(await sqlState(writerDb.raw('DELETE FROM product_events'))).to.equal(denied);
  });
});
