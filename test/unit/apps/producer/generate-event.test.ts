import { expect } from 'chai';
import { decodeEvent } from '../../../../src/domain/events/decode-event.ts';
import {
  generateEvent,
  generateNewEvent,
  generateOldEvent,
} from '../../../../src/apps/producer/generate-event.ts';
import { addresses } from '../../../../src/apps/producer/sample-data.ts';
import { v2OnlyFields } from '../../../../src/domain/schemas/product-purchased.v2.ts';
import type { ProductPurchasedV2 } from '../../../../src/domain/schemas/types.ts';
import { messageValue } from '../../fixtures.ts';

const sampleSize = 200;
const times = <T>(count: number, make: () => T): T[] => Array.from({ length: count }, make);
const hasNewField = (event: ProductPurchasedV2): boolean =>
  v2OnlyFields.some((field) => Object.hasOwn(event, field));

/** Decodes the event as the consumer would, failing with the reason if it is not accepted. */
function decodedVersion(event: ProductPurchasedV2): number {
  const decoded = decodeEvent(messageValue(event));
  if (decoded.kind !== 'event')
    expect.fail(`generated event not accepted: ${JSON.stringify(decoded)}`);
  return decoded.schemaVersion;
}

describe('generateOldEvent', () => {
  const events = times(sampleSize, () => generateOldEvent());

  it(`generates ${sampleSize} events that all decode as schema version 1`, () => {
    for (const event of events) expect(decodedVersion(event)).to.equal(1);
  });

  it('never sends a field that version 2 added', () => {
    for (const event of events) expect(event).to.not.have.any.keys(...v2OnlyFields);
  });

  it('gives each event an id of evt_ and 16 hex digits', () => {
    for (const event of events) expect(event.eventId).to.match(/^evt_[0-9a-f]{16}$/);
  });

  it('gives each event its own id', () => {
    expect(new Set(events.map((event) => event.eventId)).size).to.equal(events.length);
  });

  it('stamps the event with the given time', () => {
    const now = new Date('2025-10-08T15:30:22.456Z');
    expect(generateOldEvent(now).timestamp).to.equal('2025-10-08T15:30:22.456Z');
  });
});

describe('generateNewEvent', () => {
  const events = times(sampleSize, () => generateNewEvent());
  const share = (predicate: (event: ProductPurchasedV2) => boolean) =>
    events.filter(predicate).length;

  it(`generates ${sampleSize} events that all decode, as version 2 when they carry a new field`, () => {
    for (const event of events) expect(decodedVersion(event)).to.equal(hasNewField(event) ? 2 : 1);
  });

  it('gives each event an id of evt_ and 16 hex digits', () => {
    for (const event of events) expect(event.eventId).to.match(/^evt_[0-9a-f]{16}$/);
  });

  it('sends a discount code and amount together, or neither', () => {
    for (const event of events) {
      expect(Object.hasOwn(event, 'discountCode')).to.equal(Object.hasOwn(event, 'discountAmount'));
    }
  });

  it('generates some events with a discount and some without', () => {
    expect(share((event) => event.discountAmount !== undefined)).to.be.within(1, sampleSize - 1);
  });

  it('generates some events with tax and some without', () => {
    expect(share((event) => event.taxAmount !== undefined)).to.be.within(1, sampleSize - 1);
  });

  it('generates some events with a shipping address and some without', () => {
    expect(share((event) => event.shippingAddress !== undefined)).to.be.within(1, sampleSize - 1);
  });

  it('ships to more than one country', () => {
    const countries = new Set(events.flatMap((event) => event.shippingAddress?.country ?? []));
    expect(countries.size).to.be.greaterThan(1);
  });

  it('gives each event its own copy of a sample address, so changing one changes no other', () => {
    for (const event of events) expect(addresses).to.not.include(event.shippingAddress);
  });
});

describe('generateEvent', () => {
  it('generates the old shape for "old"', () => {
    for (const event of times(50, () => generateEvent('old')))
      expect(hasNewField(event)).to.be.false;
  });

  it('generates the new shape for "new"', () => {
    expect(times(50, () => generateEvent('new')).some(hasNewField)).to.be.true;
  });

  it('passes the time on', () => {
    const now = new Date('2025-01-02T03:04:05.000Z');
    expect(generateEvent('new', now).timestamp).to.equal(now.toISOString());
  });
});
