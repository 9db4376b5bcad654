// The v2 migration run while the consumer ingests original-shape events at over 1 000 a second:
// the consumer starts on a database with only the first migration, the migration runs ~6 s into a
// steady ~20 s load, then new-shape events follow. Nothing may be lost, duplicated, dead-lettered or
// stalled for anything near the migration's 5 s lock timeout. Real Kafka, real Postgres, both private.
import { expect } from 'chai';
import type { Knex } from 'knex';
import { lockTimeout } from '../../migrations/20251008000000_add_discount_tax_and_shipping_address.ts';
import { createProducer } from '../../src/adapters/kafkajs/producer.ts';
import { toEventMessage } from '../../src/apps/producer/event-message.ts';
import { generateNewEvent, generateOldEvent } from '../../src/apps/producer/generate-event.ts';
import type { ProductPurchasedV2 } from '../../src/domain/schemas/types.ts';
import { createPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';
import { waitUntil } from '../support/wait-until.ts';
import { waitForGroupAtTopicEnd } from '../support/group-progress.ts';
import { sendPaced, type PacedResult } from './support/paced-send.ts';
import { startPrivateKafka, type PrivateKafka } from './support/private-kafka.ts';
import { startPrivatePostgres, type PrivatePostgres } from './support/private-postgres.ts';
import { watchStalls, type StallReport } from './support/stall-monitor.ts';
import {
  expectedAddress,
  readAddresses,
  readRows,
  rowMatches,
  type ComparableAddress,
} from '../support/stored-rows.ts';

const targetRate = 1_250; // events a second: a margin over the 1 000 the test must achieve
const loadSeconds = 20;
const migrateAfterSeconds = 6;
const newShapeCount = 2_000;
// The migrations' own lock_timeout ('5s'): a stall that long would mean writers queued behind it.
const lockTimeoutMs = Number(/^(\d+)s$/.exec(lockTimeout)?.[1]) * 1000;
const v2Migrations = [
  '20251008000000_add_discount_tax_and_shipping_address.ts',
  '20251008000100_validate_amount_checks.ts',
  '20261126000100_timestamps_not_null_as_original.ts',
  '20261126000200_add_schema_version.ts',
  '20261126000300_writer_least_privilege.ts', // grants only: nothing here without a writer role
];

interface MigrationRun {
  /** Rows the consumer had stored on the original schema when the migration began. */
  readonly storedBefore: number;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly migrated?: string[];
  readonly error?: unknown;
}

// `migrate.latest` runs both pending v2 migrations in ONE transaction (knex wraps a batch whole
// unless a migration opts out), so the VALIDATE scans still hold the ALTER's ACCESS EXCLUSIVE lock.
// With the few thousand rows here that is milliseconds; on a big table it is a write stall as long
// as the scan, which lock_timeout does not bound.
async function migrate(db: Knex): Promise<MigrationRun> {
  const [counted] = await db('product_events').count<{ n: string }[]>({ n: '*' });
  const storedBefore = Number(counted?.n);
  const startedAt = performance.now();
  try {
    const [, migrated] = (await db.migrate.latest()) as [number, string[]];
    return { storedBefore, startedAt, endedAt: performance.now(), migrated };
  } catch (error) {
    return { storedBefore, startedAt, endedAt: performance.now(), error };
  }
}

const describeError = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

describe('the v2 migration under load', function () {
  let pg: PrivatePostgres | undefined;
  let kafka: PrivateKafka | undefined;
  let harness: PipelineHarness | undefined;

  before(async () => {
    const [postgres, broker] = await Promise.allSettled([
      startPrivatePostgres(),
      startPrivateKafka(),
    ]);
    if (postgres.status === 'fulfilled') pg = postgres.value;
    if (broker.status === 'fulfilled') kafka = broker.value;
    if (postgres.status === 'rejected') throw postgres.reason;
    if (broker.status === 'rejected') throw broker.reason;
  });
  after(async () => {
    await harness?.close();
    await kafka?.destroy();
    await pg?.destroy();
  });

  it('runs while the consumer stores 1 000+ original-shape events a second: nothing lost, duplicated or dead-lettered, no stall near the 5 s lock timeout', async () => {
    if (pg === undefined || kafka === undefined) throw new Error('services not started');
    harness = await createPipelineHarness({
      migrate: false,
      partitions: 3,
      services: { databaseUrl: pg.url, kafkaBrokers: kafka.brokers },
    });
    const running = harness;
    const { topic } = running.config;

    // A database with only the first migration, and the consumer storing on it.
    await running.db.migrate.up();
    const [, pending] = (await running.db.migrate.list()) as [unknown[], { file: string }[]];
    expect(pending.map((migration) => migration.file)).to.deep.equal(v2Migrations);
    await running.startConsumer();
    const warmUp = [generateOldEvent(), generateOldEvent(), generateOldEvent()];
    await running.produceEvents(warmUp);
    await running.waitForRows(warmUp.length);

    // ~20 s of original-shape events; the migration starts ~6 s in, alongside.
    const producer = createProducer(running.kafka);
    await producer.connect();
    const oldEvents = Array.from({ length: targetRate * loadSeconds }, () => generateOldEvent());
    const newEvents = Array.from({ length: newShapeCount }, () => generateNewEvent());
    let produced = warmUp.length;
    const monitor = await watchStalls({
      databaseUrl: running.databaseUrl,
      produced: () => produced,
    });
    const started: { migration?: Promise<MigrationRun> } = {};
    let migration: MigrationRun | undefined;
    let load: PacedResult | undefined;
    let stalls: StallReport | undefined;
    const total = warmUp.length + oldEvents.length + newEvents.length;
    const loadStartedAt = performance.now();
    try {
      load = await sendPaced(producer, {
        topic,
        messages: oldEvents.map(toEventMessage),
        ratePerSecond: targetRate,
        onSent: (sent) => {
          produced = warmUp.length + sent;
          if (started.migration === undefined && sent >= targetRate * migrateAfterSeconds) {
            started.migration = migrate(running.db);
          }
        },
      });
      const loadEndedAt = performance.now();
      migration = await started.migration;
      if (migration === undefined) throw new Error('the migration never started');
      expect(migration.error === undefined ? undefined : describeError(migration.error)).to.equal(
        undefined,
      );
      expect(migration.migrated).to.deep.equal(v2Migrations);
      // It ran during the load, not after it, on a table the consumer was filling.
      expect(migration.storedBefore).to.be.above(warmUp.length);
      expect(migration.endedAt).to.be.below(loadEndedAt);

      // Then new-shape events, now that their columns and table exist.
      await sendPaced(producer, {
        topic,
        messages: newEvents.map(toEventMessage),
        ratePerSecond: targetRate,
        onSent: (sent) => {
          produced = warmUp.length + oldEvents.length + sent;
        },
      });
      await waitUntil(
        `${total} rows`,
        async () => {
          if (running.fatalErrors.length > 0) throw running.fatalErrors[0];
          return (await running.countRows()) >= total;
        },
        180_000,
        250,
      );
      await waitForGroupAtTopicEnd({
        kafka: running.kafka,
        groupId: running.config.consumerGroupId,
        topic,
        fatalErrors: running.fatalErrors,
      });
      stalls = await monitor.stop();
    } finally {
      await producer.disconnect();
      if (stalls === undefined) await monitor.stop().catch(() => undefined);
    }

    const sinceLoadStart = (at: number) => Math.round(at - loadStartedAt);
    console.log(
      JSON.stringify({
        scenario: 'migration under load',
        produced: total,
        originalShape: oldEvents.length,
        newShape: newEvents.length,
        ratePerSecond: Math.round(load.ratePerSecond),
        migrationStartedAtMs: sinceLoadStart(migration.startedAt),
        storedWhenMigrationStarted: migration.storedBefore,
        migrationMs: Math.round(migration.endedAt - migration.startedAt),
        longestStallMs: Math.round(stalls.longestStallMs),
        longestStallAtMs: sinceLoadStart(stalls.longestStallFrom),
        stallSamples: stalls.samples,
        lockedOutSamples: stalls.lockedOutSamples,
      }),
    );

    expect(running.fatalErrors.map(describeError)).to.deep.equal([]);
    expect(await running.deadLetterCount()).to.equal(0);

    // Every event stored exactly once, every column exactly as sent.
    const events: ProductPurchasedV2[] = [...warmUp, ...oldEvents, ...newEvents];
    const rows = await readRows(running.db);
    expect(rows.size).to.equal(events.length);
    const wrong = events.filter((event) => !rowMatches(rows.get(event.eventId), event));
    expect({
      wrong: wrong.length,
      firstWrong: wrong.slice(0, 3).map((e) => e.eventId),
    }).to.deep.equal({ wrong: 0, firstWrong: [] });
    // The new-shape events have their fields: columns (compared above) and addresses.
    const addresses = await readAddresses(running.db);
    const expectedAddresses = new Map<string, ComparableAddress>();
    for (const event of newEvents) {
      const address = expectedAddress(event);
      if (address !== null) expectedAddresses.set(address.event_id, address);
    }
    expect(expectedAddresses.size).to.be.greaterThan(0);
    expect(Object.fromEntries(addresses)).to.deep.equal(Object.fromEntries(expectedAddresses));
    const withNewFields = await running.db.raw<{ rows: { discounts: number; taxes: number }[] }>(
      `SELECT count(discount_amount)::int AS discounts, count(tax_amount)::int AS taxes
       FROM product_events`,
    );
    expect(withNewFields.rows).to.deep.equal([
      {
        discounts: newEvents.filter((event) => event.discountAmount !== undefined).length,
        taxes: newEvents.filter((event) => event.taxAmount !== undefined).length,
      },
    ]);

    // Never stalled near the lock timeout; the load was the load asked for.
    expect(stalls.longestStallMs).to.be.below(lockTimeoutMs);
    expect(load.ratePerSecond).to.be.at.least(1_000);
  });
});
