import { expect } from 'chai';
import type { ProductPurchasedV2 } from '../../../src/domain/schemas/types.ts';
import { productEventRows, productEventsStaging } from '../../../src/storage/product-events.ts';
import { exampleV1Event, exampleV2Event, minimalEvent } from '../fixtures.ts';

/** The one line of COPY text written for `event`, as column → field text (null for `\N`). */
function copiedRow(event: ProductPurchasedV2): Record<string, string | null> {
  const lines = Buffer.concat(productEventRows([event])).toString();
  expect(lines.endsWith('\n') && lines.indexOf('\n') === lines.length - 1, 'one line').to.be.true;
  const fields = lines.slice(0, -1).split('\t');
  const columns = ['ordinal', ...productEventsStaging.columns];
  expect(fields).to.have.length(columns.length);
  return Object.fromEntries(
    columns.map((column, i) => [column, fields[i] === '\\N' ? null : (fields[i] ?? '')]),
  );
}

describe('productEventRows (an event as a product_events row, in COPY text)', () => {
  it('maps every field of a version 2 event to its column', () => {
    expect(copiedRow(exampleV2Event())).to.deep.equal({
      ordinal: '0',
      event_id: 'evt_abc123def456',
      event_type: 'product.purchased',
      timestamp: '2025-10-08T15:30:22.456Z',
      user_id: 'user_12345',
      product_id: 'prod_abc123',
      product_name: 'Wireless Headphones',
      category: 'Electronics',
      price: '129.99',
      currency: 'USD',
      quantity: '2',
      metadata: '{"source":"mobile_app","sessionId":"sess_xyz789","ipAddress":"192.168.1.100"}',
      discount_code: 'SUMMER2025',
      discount_amount: '20',
      tax_amount: '10.99',
    });
  });

  it('maps the new columns of a version 1 event to null', () => {
    const row = copiedRow(exampleV1Event());
    expect(row).to.include({ discount_code: null, discount_amount: null, tax_amount: null });
    expect(row['price']).to.equal('129.99');
  });

  it('maps absent category and metadata to null', () => {
    expect(copiedRow(minimalEvent())).to.include({ category: null, metadata: null });
  });

  it('maps new fields explicitly null to null', () => {
    const row = copiedRow({
      ...exampleV1Event(),
      discountCode: null,
      discountAmount: null,
      taxAmount: null,
    });
    expect(row).to.include({ discount_code: null, discount_amount: null, tax_amount: null });
  });

  it('keeps a zero discount and a zero tax as zero, not null', () => {
    const row = copiedRow({ ...exampleV2Event(), discountAmount: 0, taxAmount: 0 });
    expect(row).to.include({ discount_amount: '0', tax_amount: '0' });
  });

  it('leaves the shipping address and unknown fields out of the row', () => {
    const row = copiedRow({ ...exampleV2Event(), loyaltyTier: 'gold' });
    expect(Object.values(row).join('\t')).to.not.match(/gold|Main St/);
  });

  it('numbers the lines of a batch in order, from 0', () => {
    const lines = Buffer.concat(
      productEventRows([exampleV1Event(), exampleV2Event(), minimalEvent()]),
    ).toString();
    expect(lines.split('\n').map((line) => line.split('\t')[0])).to.deep.equal(['0', '1', '2', '']);
  });
});
