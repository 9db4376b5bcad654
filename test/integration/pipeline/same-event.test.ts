// The one rule of "the same event", through the pipeline core against the real database: two copies
// are the same event exactly when they would store the same row and address. The outcome never
// depends on whether the copies share a batch, and a stored row is never merged with another event.
import { expect } from 'chai';
import type { ProductPurchasedV2 } from '../../../src/domain/schemas/types.ts';
import { exampleV1Event, exampleV2Event } from '../../unit/fixtures.ts';
import { runCoreBatches } from '../../support/core-batches.ts';
import { storeAsOlderConsumer } from '../../support/older-consumer.ts';
import { migratedDatabasePerTest } from '../../support/scratch-database.ts';
import { storedExactly } from '../../support/stored-projection.ts';

const plain = (): ProductPurchasedV2 => exampleV1Event();
const withDiscountAndAddress = (): ProductPurchasedV2 => ({
  ...plain(),
  discountCode: exampleV2Event().discountCode,
  discountAmount: exampleV2Event().discountAmount,
  shippingAddress: exampleV2Event().shippingAddress,
});
const text = (event: object) => JSON.stringify(event);

describe('the same event, decided by one rule', () => {
  const scratch = migratedDatabasePerTest();

  const addressCount = async () =>
    Number((await scratch.db('shipping_addresses').count<{ n: string }[]>({ n: '*' }))[0]?.n);

  describe('a row a v2 consumer stored', () => {
    it('is never merged with a later copy that adds a discount and an address', async () => {
      const run = await runCoreBatches(scratch.db, [[plain()], [withDiscountAndAddress()]]);
      expect([...run.codes]).to.deep.equal([[1, 'EVENT_ID_CONFLICT']]);
      expect(await storedExactly(scratch.db, text(plain()))).to.equal(true);
      expect(await addressCount()).to.equal(0);
    });

    it('is never merged with a later copy that adds only a discount', async () => {
      const discounted = { ...plain(), discountCode: 'LATE', discountAmount: 1 };
      const run = await runCoreBatches(scratch.db, [[plain()], [discounted]]);
      expect([...run.codes]).to.deep.equal([[1, 'EVENT_ID_CONFLICT']]);
      expect(await storedExactly(scratch.db, text(plain()))).to.equal(true);
    });

    it('conflicts with a later copy that adds only an address, and keeps no address', async () => {
      // Everything else equal, so the address rule alone decides (no discount conflicts first).
      const addressOnly = { ...plain(), shippingAddress: exampleV2Event().shippingAddress };
      await runCoreBatches(scratch.db, [[plain()]]);
      const before: unknown = await scratch.db('product_events').first();
      const run = await runCoreBatches(scratch.db, [[addressOnly]], 1);
      expect([...run.codes]).to.deep.equal([[1, 'EVENT_ID_CONFLICT']]);
      const after: unknown = await scratch.db('product_events').first();
      expect(after, 'the row, every column').to.deep.equal(before);
      expect(await addressCount(), 'address rows').to.equal(0);
    });

    it('conflicts with a copy that adds only an address in the same batch', async () => {
      const addressOnly = { ...plain(), shippingAddress: exampleV2Event().shippingAddress };
      const run = await runCoreBatches(scratch.db, [[plain(), addressOnly]]);
      expect([...run.codes]).to.deep.equal([[1, 'EVENT_ID_CONFLICT']]);
      expect(await storedExactly(scratch.db, text(plain()))).to.equal(true);
      expect(await addressCount(), 'address rows').to.equal(0);
    });

    it('conflicts with a later copy that leaves its address out', async () => {
      const run = await runCoreBatches(scratch.db, [
        [exampleV2Event()],
        [{ ...exampleV2Event(), shippingAddress: null }],
      ]);
      expect([...run.codes]).to.deep.equal([[1, 'EVENT_ID_CONFLICT']]);
      expect(await storedExactly(scratch.db, text(exampleV2Event()))).to.equal(true);
    });
  });

  describe('a row stored by code that predates v2 (schema_version NULL)', () => {
    beforeEach(async () => {
      await storeAsOlderConsumer(scratch.db, [plain()]);
    });

    it('gets its v2 columns and address filled once by a copy that has them, then no more', async () => {
      const other = { ...withDiscountAndAddress(), discountCode: 'OTHER' };
      const run = await runCoreBatches(scratch.db, [
        [withDiscountAndAddress()],
        [other],
        [plain()],
      ]);
      expect([...run.codes]).to.deep.equal([
        [1, 'EVENT_ID_CONFLICT'],
        [2, 'EVENT_ID_CONFLICT'],
      ]);
      expect(await storedExactly(scratch.db, text(withDiscountAndAddress()))).to.equal(true);
    });

    it('gets its address filled once by a copy that adds only an address, then no other', async () => {
      const addressOnly = { ...plain(), shippingAddress: exampleV2Event().shippingAddress };
      const otherAddress = {
        ...addressOnly,
        shippingAddress: { ...exampleV2Event().shippingAddress, zipCode: '94103' },
      };
      const run = await runCoreBatches(scratch.db, [[addressOnly], [otherAddress], [plain()]]);
      expect([...run.codes]).to.deep.equal([
        [1, 'EVENT_ID_CONFLICT'],
        [2, 'EVENT_ID_CONFLICT'],
      ]);
      expect(await storedExactly(scratch.db, text(addressOnly))).to.equal(true);
    });

    it('becomes final when a copy without v2 fields confirms it', async () => {
      const run = await runCoreBatches(scratch.db, [[plain()], [withDiscountAndAddress()]]);
      expect([...run.codes]).to.deep.equal([[1, 'EVENT_ID_CONFLICT']]);
      expect(await storedExactly(scratch.db, text(plain()))).to.equal(true);
    });
  });

  describe('copies that store the same row', () => {
    const base = plain();
    const withoutCategory: Partial<ProductPurchasedV2> = { ...base };
    delete withoutCategory.category;
    const variants: [what: string, first: string | object, copy: string | object][] = [
      ['an extra unknown field', base, { ...base, couponSource: 'newsletter' }],
      ['category null where the first has none', withoutCategory, { ...base, category: null }],
      [
        'the same instant written with another offset',
        base,
        { ...base, timestamp: '2025-10-08T17:30:22.456+02:00' },
      ],
      ['money written as 129.990', base, text(base).replace('"price":129.99', '"price":129.990')],
      [
        'a 60-level nested unknown field, different in each copy (it once overflowed the stack)',
        text({ ...base, trace: 'DEEP' }).replace('"DEEP"', `${'['.repeat(60)}${']'.repeat(60)}`),
        text({ ...base, trace: 'DEEP' }).replace(
          '"DEEP"',
          `${'{"a":'.repeat(60)}1${'}'.repeat(60)}`,
        ),
      ],
    ];

    for (const [what, original, copy] of variants) {
      it(`are repeats, in one batch or in two: ${what}`, async () => {
        const together = await runCoreBatches(scratch.db, [[original, copy]]);
        await scratch.db.raw('TRUNCATE product_events, shipping_addresses');
        const apart = await runCoreBatches(scratch.db, [[original], [copy]]);
        expect(together.codes.size, 'no dead letter in one batch').to.equal(0);
        expect(apart.codes.size, 'no dead letter in two batches').to.equal(0);
        expect(together.summaries[0]).to.include({ stored: 1, repeats: 1 });
        // A copy of a row stored before its batch is a repeat too: counted once, as stored.
        expect(apart.summaries.map(({ stored, repeats }) => ({ stored, repeats }))).to.deep.equal([
          { stored: 1, repeats: 0 },
          { stored: 0, repeats: 1 },
        ]);
        const originalText = typeof original === 'string' ? original : text(original);
        expect(await storedExactly(scratch.db, originalText)).to.equal(true);
      });
    }

    it('conflict the same way in one batch or in two when they differ', async () => {
      const changed = { ...base, quantity: base.quantity + 1 };
      const together = await runCoreBatches(scratch.db, [[base, changed, base]]);
      await scratch.db.raw('TRUNCATE product_events, shipping_addresses');
      const apart = await runCoreBatches(scratch.db, [[base], [changed], [base]]);
      expect([...together.codes]).to.deep.equal([[1, 'EVENT_ID_CONFLICT']]);
      expect([...apart.codes]).to.deep.equal([[1, 'EVENT_ID_CONFLICT']]);
    });
  });

  it('stores the rest of a batch when Postgres refuses one row, dead-lettering only that one', async () => {
    const events = Array.from({ length: 7 }, (_, i) => ({ ...plain(), eventId: `evt_ok_${i}` }));
    const refused = { ...plain(), eventId: 'evt_refused', metadata: { note: 'a\u0000b' } };
    const run = await runCoreBatches(scratch.db, [
      [...events.slice(0, 3), refused, ...events.slice(3)],
    ]);
    expect([...run.codes]).to.deep.equal([[3, 'EVENT_REJECTED_BY_DATABASE']]);
    for (const event of events) expect(await storedExactly(scratch.db, text(event))).to.equal(true);
  });

  it('dead-letters a message whose decoding throws, and stores the rest of its batch', async () => {
    // Any bug in decoding stands here: a value that throws the first time its length is read.
    const poison = Buffer.from(text({ ...plain(), eventId: 'evt_poison' }), 'utf8');
    let reads = 0;
    Object.defineProperty(poison, 'length', {
      get: () => {
        reads += 1;
        if (reads === 1) throw new RangeError('boom: payload text would be here');
        return poison.byteLength;
      },
    });
    const run = await runCoreBatches(scratch.db, [
      [plain(), poison, { ...plain(), eventId: 'evt_after' }],
    ]);
    expect([...run.codes]).to.deep.equal([[1, 'EVENT_UNPROCESSABLE']]);
    expect(run.reasons.get(1)).to.equal('decoding the message failed with RangeError');
    expect(await storedExactly(scratch.db, text({ ...plain(), eventId: 'evt_after' }))).to.equal(
      true,
    );
  });
});
