import { expect } from 'chai';
import { toShippingAddressRow } from '../../../src/storage/shipping-addresses.ts';
import { exampleV1Event, exampleV2Event } from '../fixtures.ts';

describe('toShippingAddressRow', () => {
  it('maps every address field to its column, keyed by the eventId', () => {
    expect(toShippingAddressRow(exampleV2Event())).to.deep.equal({
      event_id: 'evt_abc123def456',
      street: '123 Main St',
      city: 'San Francisco',
      state: 'CA',
      zip_code: '94102',
      country: 'USA',
    });
  });

  it('maps an absent state and zip code to null', () => {
    const event = {
      ...exampleV1Event(),
      shippingAddress: { street: '1 Harbour View Street', city: 'Hong Kong', country: 'Hong Kong' },
    };
    expect(toShippingAddressRow(event)).to.include({
      state: null,
      zip_code: null,
      country: 'Hong Kong',
    });
  });

  it('maps a state and zip code explicitly null to null', () => {
    const event = {
      ...exampleV1Event(),
      shippingAddress: {
        street: 'Rua Augusta 274',
        city: 'Lisboa',
        state: null,
        zipCode: null,
        country: 'Portugal',
      },
    };
    expect(toShippingAddressRow(event)).to.include({ state: null, zip_code: null });
  });

  it('returns null for an event without an address', () => {
    expect(toShippingAddressRow(exampleV1Event())).to.be.null;
  });

  it('returns null for an event whose address is null', () => {
    expect(toShippingAddressRow({ ...exampleV1Event(), shippingAddress: null })).to.be.null;
  });

  it('leaves unknown address fields out of the row', () => {
    const address = {
      street: '123 Main St',
      city: 'San Francisco',
      country: 'USA',
      apartment: '4B',
    };
    const event = { ...exampleV1Event(), shippingAddress: address };
    expect(toShippingAddressRow(event)).to.not.have.any.keys('apartment');
  });
});
