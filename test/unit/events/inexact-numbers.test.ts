import { expect } from 'chai';
import { decodeEvent } from '../../../src/events/decode-event.ts';
import { hasInexactNumber } from '../../../src/events/inexact-numbers.ts';
import { exampleV1Event } from '../fixtures.ts';

describe('hasInexactNumber', () => {
  it('accepts ordinary numbers, nested anywhere', () => {
    expect(
      hasInexactNumber({ a: 1, b: [2.5, { c: -3e10 }], d: Number.MAX_SAFE_INTEGER, e: null, f: 0 }),
    ).to.equal(false);
  });

  it('finds a number JSON.parse turned into Infinity', () => {
    expect(hasInexactNumber(JSON.parse('{"a":{"b":[1e400]}}'))).to.equal(true);
  });

  it('finds an integer beyond 2^53, which JSON.parse rounds', () => {
    expect(hasInexactNumber(JSON.parse('{"orderRef":12345678901234567890}'))).to.equal(true);
  });
});

describe('metadata with numbers a double cannot hold', () => {
  it('is a schema violation naming metadata, not a silently changed row', () => {
    const value = Buffer.from(
      JSON.stringify(exampleV1Event()).replace('"mobile_app"', '"mobile_app","n":1e400'),
    );
    expect(decodeEvent(value)).to.deep.include({ kind: 'reject', code: 'EVENT_SCHEMA_VIOLATION' });
    const decoded = decodeEvent(value);
    expect(decoded.kind === 'reject' ? decoded.reason : '').to.match(
      /^\/metadata must hold only numbers/,
    );
  });
});
