import { expect } from 'chai';
import { dedupeEvents } from '../../../src/consumer/dedupe-events.ts';
import type { ProductPurchasedV2 } from '../../../src/schemas/types.ts';
import { exampleV1Event, exampleV2Event } from '../fixtures.ts';

interface Item {
  readonly event: ProductPurchasedV2;
  readonly offset: string;
}

const item = (offset: string, event: ProductPurchasedV2): Item => ({ offset, event });
const withId = (eventId: string): ProductPurchasedV2 => ({ ...exampleV1Event(), eventId });

describe('dedupeEvents', () => {
  it('returns nothing for an empty batch', () => {
    expect(dedupeEvents([])).to.deep.equal({ unique: [], repeats: [], conflicts: [] });
  });

  it('keeps every event when all eventIds differ, in batch order', () => {
    const items = [
      item('0', withId('evt_1')),
      item('1', withId('evt_2')),
      item('2', withId('evt_3')),
    ];
    const result = dedupeEvents(items);
    expect(result.unique).to.deep.equal(items);
    expect(result.repeats).to.be.empty;
    expect(result.conflicts).to.be.empty;
  });

  it('keeps the first of exact repeats and lists the later ones as repeats', () => {
    const first = item('0', exampleV2Event());
    const other = item('1', withId('evt_other'));
    const again = item('2', exampleV2Event());
    const thrice = item('3', exampleV2Event());
    const result = dedupeEvents([first, other, again, thrice]);
    expect(result.unique).to.deep.equal([first, other]);
    expect(result.unique[0]).to.equal(first);
    expect(result.repeats).to.have.ordered.members([again, thrice]);
    expect(result.conflicts).to.be.empty;
  });

  it('lists an event with the same eventId and different content as a conflict', () => {
    const first = item('0', exampleV1Event());
    const changed = item('1', { ...exampleV1Event(), quantity: 3 });
    const result = dedupeEvents([first, changed]);
    expect(result.unique).to.deep.equal([first]);
    expect(result.repeats).to.be.empty;
    expect(result.conflicts).to.deep.equal([changed]);
  });

  it('counts a later version 2 form of a version 1 event as a conflict (different content)', () => {
    const result = dedupeEvents([item('0', exampleV1Event()), item('1', exampleV2Event())]);
    expect(result.conflicts).to.have.length(1);
  });

  it('compares later occurrences with the first one, not with each other', () => {
    const first = item('0', exampleV1Event());
    const changed = item('1', { ...exampleV1Event(), price: 1 });
    const repeat = item('2', exampleV1Event());
    const result = dedupeEvents([first, changed, repeat]);
    expect(result.conflicts).to.deep.equal([changed]);
    expect(result.repeats).to.deep.equal([repeat]);
  });

  it('counts events that differ only in key order as the same content', () => {
    const event = exampleV2Event();
    const reordered = Object.fromEntries(Object.entries(event).reverse()) as ProductPurchasedV2;
    reordered.metadata = {
      ipAddress: '192.168.1.100',
      sessionId: 'sess_xyz789',
      source: 'mobile_app',
    };
    expect(JSON.stringify(reordered)).to.not.equal(JSON.stringify(event));

    const result = dedupeEvents([item('0', event), item('1', reordered)]);
    expect(result.repeats).to.have.length(1);
    expect(result.conflicts).to.be.empty;
  });

  it('counts a difference deep inside metadata as a conflict', () => {
    const changed: ProductPurchasedV2 = {
      ...exampleV1Event(),
      metadata: { source: 'web', sessionId: 'sess_xyz789', ipAddress: '192.168.1.100' },
    };
    const result = dedupeEvents([item('0', exampleV1Event()), item('1', changed)]);
    expect(result.conflicts).to.have.length(1);
  });

  it('does not change the items it is given', () => {
    const items = [item('0', exampleV1Event()), item('1', exampleV1Event())];
    const before = JSON.stringify(items);
    dedupeEvents(items);
    expect(JSON.stringify(items)).to.equal(before);
  });
});
