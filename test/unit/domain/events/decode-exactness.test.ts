// What a valid event's values become: stored exactly as sent, or refused with a reason. Each case
// is an input that once crashed the consumer or was stored altered.
import { expect } from 'chai';
import fc from 'fast-check';
import { decodeEvent, type Decoded } from '../../../../src/domain/events/decode-event.ts';
import { exampleV1Event, exampleV2Event } from '../../fixtures.ts';
import { propertyParameters } from '../../../support/property-runs.ts';

/** The v1 example's JSON with one field's JSON text replaced: numbers keep their exact text. */
function withRaw(field: string, jsonText: string, base: object = exampleV1Event()): Buffer {
  const text = JSON.stringify({ ...base, [field]: '__RAW__' }).replace('"__RAW__"', jsonText);
  return Buffer.from(text, 'utf8');
}

function expectCode(decoded: Decoded, code: string): string {
  if (decoded.kind !== 'reject') expect.fail(`expected ${code}, got ${decoded.kind}`);
  expect(decoded.code).to.equal(code);
  return decoded.reason;
}

describe('decodeEvent, for values a double or Postgres would change', () => {
  it('stores a 260 KB metadata array of 130 000 zeros as an event (it once overflowed the stack)', () => {
    const items = new Array(130_000).fill('0').join(',');
    const decoded = decodeEvent(withRaw('metadata', `{"items":[${items}]}`));
    expect(decoded.kind).to.equal('event');
  });

  for (const money of ['12.0000000000000001', '0.1000000000000000000001', '1e-400']) {
    it(`refuses price ${money}, which numeric(10,2) would round`, () => {
      const reason = expectCode(decodeEvent(withRaw('price', money)), 'EVENT_SCHEMA_VIOLATION');
      expect(reason).to.include('/price');
    });
  }

  it('refuses a quantity beyond what a double holds as written', () => {
    const decoded = decodeEvent(withRaw('quantity', '1.0000000000000001'));
    expect(expectCode(decoded, 'EVENT_SCHEMA_VIOLATION')).to.include('/quantity');
  });

  it('refuses a discount and a tax a double would change', () => {
    for (const field of ['discountAmount', 'taxAmount']) {
      const decoded = decodeEvent(withRaw(field, '5.0000000000000000001', exampleV2Event()));
      expect(expectCode(decoded, 'EVENT_SCHEMA_VIOLATION')).to.include(`/${field}`);
    }
  });

  it('keeps metadata numbers exactly as sent, however many digits', () => {
    const metadata =
      '{"tiny":1e-400,"long":0.1000000000000000000001,"big":123456789.123456789123,"id":12345678901234567890}';
    const decoded = decodeEvent(withRaw('metadata', metadata));
    if (decoded.kind !== 'event') return expect.fail(`expected an event, got ${decoded.kind}`);
    expect(JSON.stringify(decoded.event.metadata)).to.equal(metadata);
  });

  for (const timestamp of [
    '2025-06-30T23:59:60Z',
    '2025-10-08T15:30:22.1234567Z',
    '2025-10-08T15:30:22+16:00',
  ]) {
    it(`refuses timestamp ${timestamp}, which Postgres would change or refuse`, () => {
      const decoded = decodeEvent(withRaw('timestamp', JSON.stringify(timestamp)));
      expect(expectCode(decoded, 'EVENT_SCHEMA_VIOLATION')).to.include('/timestamp');
    });
  }

  it('refuses a lone UTF-16 surrogate in a text column, and accepts a proper pair', () => {
    const lone = decodeEvent(withRaw('productName', '"Mug \\ud83d"'));
    expect(expectCode(lone, 'EVENT_SCHEMA_VIOLATION')).to.include('/productName');
    expect(decodeEvent(withRaw('productName', '"Mug \\ud83d\\ude00"')).kind).to.equal('event');
  });

  it('refuses a value over the byte limit before parsing it', () => {
    const limits = { maxBytes: 1_000, maxDepth: 64 };
    const decoded = decodeEvent(withRaw('metadata', `{"note":"${'x'.repeat(2_000)}"}`), limits);
    expect(expectCode(decoded, 'EVENT_TOO_LARGE')).to.include('1000-byte limit');
  });

  it('refuses a message nesting deeper than the limit anywhere, unknown fields included', () => {
    const deep = (levels: number) =>
      withRaw('trace', `${'{"a":'.repeat(levels)}"[{\\"}]"${'}'.repeat(levels)}`);
    expect(expectCode(decodeEvent(deep(64)), 'EVENT_TOO_LARGE')).to.include('64 levels');
    expect(decodeEvent(deep(62)).kind, 'brackets in strings do not count').to.equal('event');
    expect(expectCode(decodeEvent(deep(100_000)), 'EVENT_TOO_LARGE')).to.include('EVENT_MAX_DEPTH');
  });

  it('never throws, whatever bytes a message holds', () => {
    const anyJson = fc.json({ depthSize: 'medium' }).map((text) => Buffer.from(text, 'utf8'));
    const anyBytes = fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes));
    const mutated = fc
      .tuple(fc.constantFrom('price', 'metadata', 'timestamp', 'eventId', 'quantity'), fc.json())
      .map(([field, json]) => withRaw(field, json));
    fc.assert(
      fc.property(fc.oneof(anyJson, anyBytes, mutated), (value) => {
        const decoded = decodeEvent(value);
        expect(['event', 'skip', 'reject']).to.include(decoded.kind);
      }),
      propertyParameters(2_000),
    );
  });
});
