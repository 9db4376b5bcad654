// Near-copies against the real database: an event is stored, then a copy with the same eventId and
// exactly one stored field changed arrives. By the one rule of "the same event"
// (docs/stored-exactly.md) it is always EVENT_ID_CONFLICT, and the stored row and address are left
// untouched (every column, bookkeeping included), whether the copy comes in a later batch or in
// the same one. One property per field, so leaving any one column out of the comparison in
// storage/product-events.ts or storage/shipping-addresses.ts fails the property named after it.
// Runs: PROPERTY_RUNS (default 12 per field), seed fixed under CI; see test/support/property-runs.ts.
import { expect } from 'chai';
import fc from 'fast-check';
import type { Knex } from 'knex';
import type { ProductPurchasedV2 } from '../../../src/domain/schemas/types.ts';
import { runCoreBatches } from '../../support/core-batches.ts';
import {
  eventOf,
  originalFieldChanges,
  v2FieldChanges,
  type Change,
  type EventObject,
} from '../../support/near-copies.ts';
import { storeAsOlderConsumer } from '../../support/older-consumer.ts';
import { propertyParameters } from '../../support/property-runs.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../support/scratch-database.ts';
import { testServices } from '../../support/services.ts';
import { databaseState } from '../../support/stored-projection.ts';

const eventId = 'evt_near_copy';
const runsPerField = 12;

/** Both tables as they are, every column: "untouched" means this text is the same. */
async function fullState(db: Knex): Promise<string> {
  const events = await db.raw<{ rows: unknown[] }>(
    'SELECT to_jsonb(stored) AS row FROM product_events AS stored ORDER BY event_id',
  );
  const addresses = await db.raw<{ rows: unknown[] }>(
    'SELECT to_jsonb(stored) AS row FROM shipping_addresses AS stored ORDER BY event_id',
  );
  return JSON.stringify({ events: events.rows, addresses: addresses.rows });
}

const v2Fields = ['discountCode', 'discountAmount', 'taxAmount', 'shippingAddress'];
const originalPart = (event: EventObject): EventObject =>
  Object.fromEntries(Object.entries(event).filter(([field]) => !v2Fields.includes(field)));

/** Who stored the earlier event, and so what its row says (schema_version, v2 columns). */
const storers = {
  /** This consumer: schema_version 2, v2 columns and address are the event's own. */
  'a v2 consumer': async (db: Knex, earlier: EventObject) => {
    const run = await runCoreBatches(db, [[earlier]]);
    expect(run.codes.size, 'dead letters storing the earlier event').to.equal(0);
  },
  /** Code that predates v2: schema_version NULL, only the original columns. */
  'an older consumer': async (db: Knex, earlier: EventObject) => {
    await storeAsOlderConsumer(db, [originalPart(earlier) as ProductPurchasedV2]);
  },
  /** An older consumer's row, its v2 columns and address filled in once by a replay. */
  'an older consumer, then a replay': async (db: Knex, earlier: EventObject) => {
    await storeAsOlderConsumer(db, [originalPart(earlier) as ProductPurchasedV2]);
    const run = await runCoreBatches(db, [[earlier]]);
    expect(run.codes.size, 'dead letters filling in the earlier event').to.equal(0);
  },
} as const;
type Storer = keyof typeof storers;

describe('a near-copy of a stored event (one field changed), against the real database', function () {
  this.timeout(600_000);
  let scratch: ScratchDatabase;

  before(async () => {
    scratch = await createScratchDatabase((await testServices()).databaseUrl);
    await scratch.db.migrate.latest();
  });
  after(async () => {
    await scratch.drop();
  });

  const truncate = () => scratch.db.raw('TRUNCATE product_events, shipping_addresses');

  /** Stores `earlier`, sends `copy`: a conflict, and not one column of the row or address moved. */
  async function expectConflictLeavingRowUntouched(
    storer: Storer,
    earlier: EventObject,
    copy: EventObject,
  ): Promise<void> {
    await truncate();
    await storers[storer](scratch.db, earlier);
    const before = await fullState(scratch.db);
    const earlierState = await databaseState(scratch.db);
    const apart = await runCoreBatches(scratch.db, [[copy]], 1);
    expect([...apart.codes], 'the copy in a later batch').to.deep.equal([[1, 'EVENT_ID_CONFLICT']]);
    expect(await fullState(scratch.db), 'the stored row and address').to.equal(before);

    if (storer !== 'a v2 consumer') return;
    // The same two messages in one batch: the copy meets the stored event as it would later.
    await truncate();
    const together = await runCoreBatches(scratch.db, [[earlier, copy]]);
    expect([...together.codes], 'the copy in the same batch').to.deep.equal([
      [1, 'EVENT_ID_CONFLICT'],
    ]);
    expect(await databaseState(scratch.db), 'the row stored from one batch').to.equal(earlierState);
  }

  const everyStorer = Object.keys(storers) as Storer[];
  const cases: { field: string; change: Change; storersOf: Storer[] }[] = [
    ...Object.entries(originalFieldChanges).map(([field, change]) => ({
      field,
      change,
      storersOf: everyStorer,
    })),
    // A row a v2 consumer stored, or a replay made final, says what the event's v2 fields were:
    // adding, changing or taking away any of them is another event. (An older consumer's row that
    // was never replayed may still be filled in once: same-event.test.ts.)
    ...Object.entries(v2FieldChanges).map(([field, change]) => ({
      field,
      change,
      storersOf: everyStorer.filter((storer) => storer !== 'an older consumer'),
    })),
  ];

  for (const { field, change, storersOf } of cases) {
    it(`is EVENT_ID_CONFLICT with the stored row untouched: ${field}`, async () => {
      const nearCopy = fc
        .tuple(fc.constantFrom(...storersOf), fc.boolean())
        .chain(([storer, v2]) =>
          eventOf(eventId, v2).chain((earlier) =>
            change(earlier).map((copy) => ({ storer, earlier, copy })),
          ),
        );
      await fc.assert(
        fc.asyncProperty(nearCopy, ({ storer, earlier, copy }) =>
          expectConflictLeavingRowUntouched(storer, earlier, copy),
        ),
        propertyParameters(runsPerField),
      );
    });
  }

  it('is EVENT_ID_CONFLICT with the stored row untouched: eventType (a row the original system stored under another type)', async () => {
    await fc.assert(
      fc.asyncProperty(eventOf(eventId, false), async (event) => {
        await truncate();
        await storeAsOlderConsumer(scratch.db, [
          { ...event, eventType: 'product.refunded' } as unknown as ProductPurchasedV2,
        ]);
        const before = await fullState(scratch.db);
        const run = await runCoreBatches(scratch.db, [[event]], 1);
        expect([...run.codes]).to.deep.equal([[1, 'EVENT_ID_CONFLICT']]);
        expect(await fullState(scratch.db), 'the stored row').to.equal(before);
      }),
      propertyParameters(runsPerField),
    );
  });
});
