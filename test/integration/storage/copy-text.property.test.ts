// Text reaches Postgres by COPY (src/storage/copy-text.ts, staging-table.ts): every string the
// schema lets through is stored exactly as decoding read it, above all the characters COPY's text
// format gives a meaning to (backslash, tab, newline, carriage return, `\N`, `\.`) and any
// non-ASCII, in every text column, in both tables, and in metadata keys and values.
// Runs: PROPERTY_RUNS (default 30), seed fixed under CI; see test/support/property-runs.ts.
import { expect } from 'chai';
import fc from 'fast-check';
import { decodeEvent } from '../../../src/domain/events/decode-event.ts';
import type { ProductPurchasedV2 } from '../../../src/domain/schemas/types.ts';
import { isolateRefusedRows } from '../../../src/pipeline/isolate-refused-rows.ts';
import { exampleV2Event } from '../../unit/fixtures.ts';
import { propertyParameters } from '../../support/property-runs.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../support/scratch-database.ts';
import { testServices } from '../../support/services.ts';

const copySpecial = fc.constantFrom('\\', '\t', '\n', '\r', '\\N', '\\.', '\r\n', '\\\\t', '\t\\');
const nonAscii = fc.constantFrom('é', 'Kaffeemühle', '東京', '😀', '\u2028', '\u007f', '\u00a0');
/** Text the schema accepts (no NUL, no lone surrogate), mostly made of the characters that matter. */
const text = (maxParts: number) =>
  fc
    .array(
      fc.oneof(
        { weight: 3, arbitrary: copySpecial },
        { weight: 2, arbitrary: nonAscii },
        { weight: 1, arbitrary: fc.string({ maxLength: 3, unit: 'binary' }) },
      ),
      { minLength: 1, maxLength: maxParts },
    )
    .map((parts) => parts.join(''))
    .filter((joined) => joined.length > 0 && joined.isWellFormed() && !joined.includes('\u0000'));

const event = (eventId: string): fc.Arbitrary<ProductPurchasedV2> =>
  fc
    .record({
      userId: text(8),
      productId: text(8),
      productName: text(12),
      category: fc.option(text(8), { nil: null }),
      metadata: fc.option(fc.dictionary(text(4), text(6), { maxKeys: 4 }), { nil: null }),
      discountCode: fc.option(text(6), { nil: null }),
      street: text(10),
      city: text(8),
      state: fc.option(text(4), { nil: null }),
      zipCode: fc.option(text(2), { nil: null }),
      country: text(8),
    })
    .map(({ street, city, state, zipCode, country, ...fields }) => ({
      ...exampleV2Event(),
      eventId,
      ...fields,
      shippingAddress: { street, city, state, zipCode, country },
    }));

type StoredRow = { readonly event_id: string } & Readonly<Record<string, unknown>>;

/** What decoding the event's JSON makes of it: the values the consumer stores. */
function decoded(value: ProductPurchasedV2): ProductPurchasedV2 {
  const result = decodeEvent(Buffer.from(JSON.stringify(value)));
  if (result.kind !== 'event') throw new Error(`generated an invalid event: ${result.kind}`);
  return result.event;
}

describe('text through the COPY write path, against the real database', function () {
  this.timeout(600_000);
  let scratch: ScratchDatabase;

  before(async () => {
    scratch = await createScratchDatabase((await testServices()).databaseUrl);
    await scratch.db.migrate.latest();
  });
  after(async () => {
    await scratch.drop();
  });

  it('stores every string exactly as decoded, in both tables and in metadata', async () => {
    const batch = fc
      .uniqueArray(text(6), { minLength: 1, maxLength: 8 })
      .chain((ids) => fc.tuple(...ids.map(event)));
    await fc.assert(
      fc.asyncProperty(batch, async (generated) => {
        await scratch.db.raw('TRUNCATE product_events, shipping_addresses');
        const events = generated.map(decoded);
        const refusals = await isolateRefusedRows(scratch.db, events, 'v2');
        expect([...refusals.values()]).to.deep.equal([]);

        const rows = await scratch.db('product_events').select<StoredRow[]>();
        const addresses = await scratch.db('shipping_addresses').select<StoredRow[]>();
        const stored = new Map(rows.map((row) => [row.event_id, row]));
        const storedAddress = new Map(addresses.map((row) => [row.event_id, row]));
        expect(stored.size).to.equal(events.length);
        for (const sent of events) {
          expect(stored.get(sent.eventId), sent.eventId).to.include({
            user_id: sent.userId,
            product_id: sent.productId,
            product_name: sent.productName,
            category: sent.category,
            discount_code: sent.discountCode,
          });
          expect(stored.get(sent.eventId)?.['metadata']).to.deep.equal(sent.metadata);
          const address = sent.shippingAddress;
          expect(storedAddress.get(sent.eventId)).to.include({
            street: address?.street,
            city: address?.city,
            state: address?.state,
            zip_code: address?.zipCode,
            country: address?.country,
          });
        }
      }),
      propertyParameters(30),
    );
  });
});
