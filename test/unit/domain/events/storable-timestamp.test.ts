import { expect } from 'chai';
import fc from 'fast-check';
import { isStorableTimestamp } from '../../../../src/domain/events/storable-timestamp.ts';
import { propertyParameters } from '../../../support/property-runs.ts';

describe('isStorableTimestamp', () => {
  const accepted = [
    '2025-10-08T15:30:22.456Z',
    '2025-10-08t15:30:22z',
    '2025-10-08 15:30:22+02:00',
    '2024-02-29T00:00:00.123456-15:59',
    '0001-01-01T00:00:00Z',
    '9999-12-31T23:59:59.999999+15:59',
  ];
  for (const text of accepted) {
    it(`accepts ${text}`, () => expect(isStorableTimestamp(text)).to.equal(true));
  }

  const refused: [string, string][] = [
    ['2025-06-30T23:59:60Z', 'a leap second, which Postgres moves to the next minute'],
    ['2025-10-08T15:30:22.1234567Z', 'a 7th fractional digit, which Postgres rounds away'],
    ['2025-10-08T15:30:22+16:00', 'an offset beyond ±15:59, which Postgres refuses'],
    ['0000-01-01T00:00:00Z', 'year 0, which Postgres does not have'],
    ['2025-02-29T00:00:00Z', 'February 29 of a common year'],
    ['2025-04-31T00:00:00Z', 'April 31'],
    ['2025-10-08T24:00:00Z', 'hour 24'],
    ['2025-10-08T15:30:22', 'no offset'],
    ['2025-10-08T15:30Z', 'no seconds'],
    ['2025-10-08T15:30:22.Z', 'an empty fraction'],
    ['2025-10-08\t15:30:22Z', 'a tab as separator'],
  ];
  for (const [text, what] of refused) {
    it(`refuses ${what} (${text})`, () => expect(isStorableTimestamp(text)).to.equal(false));
  }

  it('accepts every instant JavaScript can print in years 1 to 9999', () => {
    const date = fc.date({
      min: new Date('0001-01-01T00:00:00Z'),
      max: new Date('9999-12-31T23:59:59.999Z'),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(date, (value) => {
        expect(isStorableTimestamp(value.toISOString())).to.equal(true);
      }),
      propertyParameters(1_000),
    );
  });
});
