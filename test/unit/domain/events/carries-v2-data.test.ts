// Whether an event needs the v2 columns decides whether it waits for the v2 migration: a wrong
// "yes" stalls original-shape events behind a migration, a wrong "no" writes to columns not there.
import { expect } from 'chai';
import { carriesV2Data } from '../../../../src/domain/events/decode-event.ts';
import { v2OnlyFields } from '../../../../src/domain/schemas/product-purchased.v2.ts';
import { exampleV1Event, exampleV2Event } from '../../fixtures.ts';

describe('carriesV2Data', () => {
  it('is false for an original-shape event', () => {
    expect(carriesV2Data(exampleV1Event())).to.equal(false);
  });

  it('is false when every new field is sent as null', () => {
    const event = {
      ...exampleV1Event(),
      ...Object.fromEntries(v2OnlyFields.map((f) => [f, null])),
    };
    expect(carriesV2Data(event)).to.equal(false);
  });

  for (const field of v2OnlyFields) {
    it(`is true when ${field} alone has a value`, () => {
      expect(carriesV2Data({ ...exampleV1Event(), [field]: exampleV2Event()[field] })).to.equal(
        true,
      );
    });
  }
});
