import { expect } from 'chai';
import { toProductEventRow } from '../../../src/storage/product-events.ts';
import { exampleV1Event, exampleV2Event, minimalEvent } from '../fixtures.ts';

describe('toProductEventRow', () => {
  it('maps every field of a version 2 event to its column', () => {
    expect(toProductEventRow(exampleV2Event())).to.deep.equal({
      event_id: 'evt_abc123def456',
      event_type: 'product.purchased',
      timestamp: '2025-10-08T15:30:22.456Z',
      user_id: 'user_12345',
      product_id: 'prod_abc123',
      product_name: 'Wireless Headphones',
      category: 'Electronics',
      price: 129.99,
      currency: 'USD',
      quantity: 2,
      metadata: { source: 'mobile_app', sessionId: 'sess_xyz789', ipAddress: '192.168.1.100' },
      discount_code: 'SUMMER2025',
      discount_amount: 20,
      tax_amount: 10.99,
    });
  });

  it('maps the new columns of a version 1 event to null', () => {
    const row = toProductEventRow(exampleV1Event());
    expect(row.discount_code).to.be.null;
    expect(row.discount_amount).to.be.null;
    expect(row.tax_amount).to.be.null;
    expect(row.price).to.equal(129.99);
  });

  it('maps absent category and metadata to null', () => {
    const row = toProductEventRow(minimalEvent());
    expect(row.category).to.be.null;
    expect(row.metadata).to.be.null;
  });

  it('maps new fields explicitly null to null', () => {
    const row = toProductEventRow({
      ...exampleV1Event(),
      discountCode: null,
      discountAmount: null,
      taxAmount: null,
    });
    expect(row).to.include({ discount_code: null, discount_amount: null, tax_amount: null });
  });

  it('keeps a zero discount and a zero tax as zero, not null', () => {
    const row = toProductEventRow({ ...exampleV2Event(), discountAmount: 0, taxAmount: 0 });
    expect(row.discount_amount).to.equal(0);
    expect(row.tax_amount).to.equal(0);
  });

  it('leaves the shipping address and unknown fields out of the row', () => {
    const row = toProductEventRow({ ...exampleV2Event(), loyaltyTier: 'gold' });
    expect(row).to.not.have.any.keys('shippingAddress', 'shipping_address', 'loyaltyTier');
  });
});
