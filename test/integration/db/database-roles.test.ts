// Least privilege, as the local stack sets it up: migrations run as the owner role; the consumer's
// role stores events and backfills their v2 columns, and is refused everything else: any change
// of schema, deleting rows, writing knex's migration history or lock, and updating any column its
// upserts do not set. Every order a deployment can take is checked: roles before migrations
// (stack:up, then db:migrate), stack:up run again, and migrations before roles.
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import knexFactory, { type Knex } from 'knex';
import { writeInOneTransaction } from '../../../src/pipeline/write-in-one-transaction.ts';
import { connectDatabase } from '../../../src/storage/connection.ts';
import { requireMigrations } from '../../../src/storage/require-migrations.ts';
import { generateNewEvent } from '../../../src/apps/producer/generate-event.ts';
import type { ProductPurchasedV2 } from '../../../src/domain/schemas/types.ts';
import { ensureDatabaseAndRoles, rolePlan } from '../../../stack/postgres/database-roles.ts';
import { createKafka } from '../../../src/adapters/kafkajs/kafka-client.ts';
import { readConfig } from '../../../src/runtime/config.ts';
import { createProducer } from '../../../src/adapters/kafkajs/producer.ts';
import { ensureReadyTopics } from '../../support/topics-ready.ts';
import { toEventMessage } from '../../../src/apps/producer/event-message.ts';
import { storeAsOlderConsumer } from '../../support/older-consumer.ts';
import { testLogger } from '../../support/pipeline-harness.ts';
import { runScript } from '../../support/run-script.ts';
import { waitUntil } from '../../support/wait-until.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../support/scratch-database.ts';
import { testServices } from '../../support/services.ts';
import { databaseOf } from '../../../src/runtime/postgres-url.ts';

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

const denied = '42501'; // insufficient_privilege, for tables, columns, schema and sequences alike

const withEverything = (): ProductPurchasedV2 => ({
  ...generateNewEvent(),
  discountCode: 'WELCOME10',
  discountAmount: 5,
  taxAmount: 2.5,
  shippingAddress: { street: 'Unter den Linden 6', city: 'Berlin', country: 'Germany' },
});

const orders = [
  'roles, then migrations', // stack:up, then db:migrate: the migrations grant
  'roles, migrations, roles again', // stack:up run again later must not widen anything
  'migrations, then roles', // a database migrated before the roles existed: stack:up grants
] as const;

for (const order of orders) {
  describe(`the database roles (${order})`, function () {
    this.timeout(60_000);
    const suffix = randomBytes(4).toString('hex');
    const owner = `test_owner_${suffix}`;
    const writer = `test_writer_${suffix}`;
    let scratch: ScratchDatabase;
    let ownerDb: Knex;
    let writerDb: Knex;
    let writerUrl: string;
    const connections: Knex[] = [];
    const connect = (url: string) => {
      const db = connectDatabase(url);
      connections.push(db);
      return db;
    };

    before(async () => {
      const adminUrl = (await testServices()).databaseUrl;
      scratch = await createScratchDatabase(adminUrl);
      const database = databaseOf(scratch.url);
      const ownerUrl = asRole(scratch.url, owner, 'owner-pw');
      writerUrl = asRole(scratch.url, writer, 'writer-pw');
      const plan = rolePlan(writerUrl, ownerUrl);
      if (order === 'migrations, then roles') {
        await scratch.db.migrate.latest(); // as a superuser, before any role existed
        await ensureDatabaseAndRoles(adminUrl, plan, database);
      } else {
        await ensureDatabaseAndRoles(adminUrl, plan, database);
        await connect(ownerUrl).migrate.latest();
        if (order === 'roles, migrations, roles again') {
          await ensureDatabaseAndRoles(adminUrl, plan, database);
        }
      }
      ownerDb = connect(ownerUrl);
      writerDb = connect(writerUrl);
    });
    after(async () => {
      for (const db of connections) await db.destroy();
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
      expect(await requireMigrations(ownerDb)).to.deep.equal([]);
    });

    it('let the consumer role check the migrations and store events with their addresses', async () => {
      expect(await requireMigrations(writerDb)).to.deep.equal([]);
      const event = withEverything();
      expect((await writeInOneTransaction(writerDb, [event], 'v2')).stored).to.equal(1);
      // The same event again: the upserts' DO UPDATE runs (and reports it stored).
      expect((await writeInOneTransaction(writerDb, [event], 'v2')).stored).to.equal(1);
      const address = await writerDb('shipping_addresses').where({ event_id: event.eventId });
      expect(address).to.have.length(1);
    });

    it('let the consumer role backfill the v2 columns of a row an older consumer stored', async () => {
      const event = withEverything();
      await storeAsOlderConsumer(ownerDb, [event]);
      expect((await writeInOneTransaction(writerDb, [event], 'v2')).stored).to.equal(1);
      const [row] = await writerDb('product_events')
        .where({ event_id: event.eventId })
        .select<{ discount_code: string | null }[]>('discount_code');
      expect(row?.discount_code).to.equal('WELCOME10');
    });

    // One end-to-end run is enough: defined for the first set-up order only, never skipped.
    if (order === 'roles, then migrations') {
      it('let the consumer process, as the writer role, store events from Kafka', async () => {
        const { kafkaBrokers } = await testServices();
        const id = randomBytes(5).toString('hex');
        const topic = `it-roles-${id}`;
        const kafka = createKafka(
          { kafkaBrokers, kafkaClientId: topic, kafkaSecurity: {} },
          testLogger,
        );
        await ensureReadyTopics(
          readConfig({ KAFKA_BROKERS: kafkaBrokers.join(','), KAFKA_CLIENT_ID: topic }),
          [
            { topic, numPartitions: 1 },
            { topic: `${topic}.dlq`, numPartitions: 1 },
          ],
        );
        const consumer = runScript('src/apps/consumer/main.ts', [], {
          DATABASE_URL: writerUrl,
          KAFKA_BROKERS: kafkaBrokers.join(','),
          KAFKA_TOPIC: topic,
          KAFKA_DLQ_TOPIC: `${topic}.dlq`,
          KAFKA_GROUP_ID: topic,
          LOG_LEVEL: 'warn',
        });
        try {
          const events = Array.from({ length: 5 }, withEverything);
          const producer = createProducer(kafka);
          await producer.connect();
          await producer.send({ topic, acks: -1, messages: events.map(toEventMessage) });
          await producer.disconnect();
          await waitUntil('the events stored by the writer', async () => {
            if (consumer.child.exitCode !== null) throw new Error(consumer.output());
            const ids = await ownerDb('product_events')
              .whereIn(
                'event_id',
                events.map((event) => event.eventId),
              )
              .pluck('event_id');
            return ids.length === events.length;
          });
          consumer.child.kill('SIGTERM');
          expect(await consumer.exited, consumer.output()).to.equal(0);
        } finally {
          consumer.child.kill('SIGKILL');
          const admin = kafka.admin();
          await admin.connect();
          await admin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => undefined);
          await admin.disconnect();
        }
      });
    }

    it('refuse the consumer role any change of schema, and deleting rows', async () => {
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
      expect(await sqlState(writerDb.raw('DELETE FROM shipping_addresses'))).to.equal(denied);
    });

    it("refuse the consumer role any write to knex's migration history and lock", async () => {
      const sql = [
        "INSERT INTO knex_migrations (name, batch, migration_time) VALUES ('99990101000000_fake.ts', 99, now())",
        "UPDATE knex_migrations SET name = 'renamed.ts'",
        'DELETE FROM knex_migrations',
        'UPDATE knex_migrations_lock SET is_locked = 1',
        'INSERT INTO knex_migrations_lock (is_locked) VALUES (1)',
        'DELETE FROM knex_migrations_lock',
        'TRUNCATE knex_migrations',
      ];
      for (const statement of sql) {
        expect(await sqlState(writerDb.raw(statement)), statement).to.equal(denied);
      }
      // Reading them is what the start-up check needs.
      expect(await sqlState(writerDb('knex_migrations').select('name'))).to.equal(undefined);
      expect(await sqlState(writerDb('knex_migrations_lock').select('is_locked'))).to.equal(
        undefined,
      );
    });

    it('refuse the consumer role updating any column its upserts do not set', async () => {
      const product = ['event_id', 'price', 'quantity', 'metadata', 'timestamp', 'created_at'];
      for (const column of product) {
        const statement = writerDb('product_events').update({ [column]: null });
        expect(await sqlState(statement), `product_events.${column}`).to.equal(denied);
      }
      for (const column of ['city', 'country', 'zip_code', 'event_id']) {
        const statement = writerDb('shipping_addresses').update({ [column]: null });
        expect(await sqlState(statement), `shipping_addresses.${column}`).to.equal(denied);
      }
      // The columns the upserts do set stay writable.
      expect(
        await sqlState(writerDb('product_events').update({ updated_at: writerDb.fn.now() })),
      ).to.equal(undefined);
    });
  });
}
