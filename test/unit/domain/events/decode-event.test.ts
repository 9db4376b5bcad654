import { expect } from 'chai';
import type { ErrorCode } from '../../../../src/domain/errors/error-codes.ts';
import type { Decoded } from '../../../../src/domain/events/decode-event.ts';
import { decodeEvent } from '../../../../src/domain/events/decode-event.ts';
import { exampleV1Event, exampleV2Event, messageValue } from '../../fixtures.ts';

type DecodedEvent = Extract<Decoded, { kind: 'event' }>;

/** Decodes a value as the consumer would receive it: JSON text in a Kafka message. */
const decode = (value: unknown): Decoded => decodeEvent(messageValue(value));

function expectEvent(decoded: Decoded): DecodedEvent {
  if (decoded.kind !== 'event') expect.fail(`expected an event, got ${JSON.stringify(decoded)}`);
  return decoded;
}

/** Asserts a rejection with the given code and returns its reason. */
function expectRejection(decoded: Decoded, code: ErrorCode): string {
  if (decoded.kind !== 'reject')
    expect.fail(`expected a rejection, got ${JSON.stringify(decoded)}`);
  expect(decoded.code).to.equal(code);
  expect(decoded.reason).to.be.a('string').that.is.not.empty;
  return decoded.reason;
}

const expectViolation = (decoded: Decoded): string =>
  expectRejection(decoded, 'EVENT_SCHEMA_VIOLATION');

/** The version 1 example with one field replaced (or added). */
const v1With = (field: string, value: unknown): Record<string, unknown> => ({
  ...exampleV1Event(),
  [field]: value,
});

/** The version 2 example with one field replaced (or added). */
const v2With = (field: string, value: unknown): Record<string, unknown> => ({
  ...exampleV2Event(),
  [field]: value,
});

/** The version 2 example with one shipping address field replaced, or removed when undefined. */
function v2WithAddress(field: string, value: unknown): Record<string, unknown> {
  const address: Record<string, unknown> = { ...exampleV2Event().shippingAddress };
  if (value === undefined) delete address[field];
  else address[field] = value;
  return v2With('shippingAddress', address);
}

describe('decodeEvent', () => {
  describe('given metadata nested to the limit', () => {
    // The byte scan's depth lets the depth keyword skip its walk; the limit must not move.
    const nested = (levels: number): unknown =>
      Array.from({ length: levels - 1 }).reduce<unknown>((inner) => ({ a: inner }), { leaf: 1 });

    it('accepts metadata 32 levels deep', () => {
      expectEvent(decode(v1With('metadata', nested(32))));
    });

    it('refuses metadata 33 levels deep, naming the rule', () => {
      expect(expectViolation(decode(v1With('metadata', nested(33))))).to.include('/metadata');
    });

    it('refuses deep metadata even when another field nests deeper', () => {
      const event = { ...v1With('metadata', nested(33)), other: nested(40) };
      expect(expectViolation(decode(event))).to.include('/metadata');
    });
  });

  describe('given a valid event', () => {
    it('accepts the version 1 example from the task as an event of schema version 1', () => {
      const decoded = expectEvent(decode(exampleV1Event()));
      expect(decoded.schemaVersion).to.equal(1);
      expect(decoded.event).to.deep.equal(exampleV1Event());
    });

    it('accepts an event with every new field as an event of schema version 2', () => {
      const decoded = expectEvent(decode(exampleV2Event()));
      expect(decoded.schemaVersion).to.equal(2);
      expect(decoded.event).to.deep.equal(exampleV2Event());
    });

    it('treats an event with only some of the new fields as schema version 2', () => {
      const decoded = expectEvent(decode(v1With('taxAmount', 10.99)));
      expect(decoded.schemaVersion).to.equal(2);
      expect(decoded.event.taxAmount).to.equal(10.99);
      expect(decoded.event).to.not.have.any.keys(
        'discountCode',
        'discountAmount',
        'shippingAddress',
      );
    });

    it('treats an event with only a shipping address as schema version 2', () => {
      const event = v1With('shippingAddress', exampleV2Event().shippingAddress);
      expect(expectEvent(decode(event)).schemaVersion).to.equal(2);
    });

    it('accepts the new fields explicitly set to null as schema version 2', () => {
      const event = {
        ...exampleV1Event(),
        discountCode: null,
        discountAmount: null,
        taxAmount: null,
        shippingAddress: null,
      };
      const decoded = expectEvent(decode(event));
      expect(decoded.schemaVersion).to.equal(2);
      expect(decoded.event).to.deep.equal(event);
    });

    it('accepts an event without the optional category and metadata', () => {
      const event: Record<string, unknown> = exampleV1Event();
      delete event['category'];
      delete event['metadata'];
      expect(expectEvent(decode(event)).schemaVersion).to.equal(1);
    });

    it('accepts category and metadata set to null', () => {
      const event = { ...exampleV1Event(), category: null, metadata: null };
      expect(expectEvent(decode(event)).event).to.deep.equal(event);
    });

    it('accepts a shipping address without state and zip code (Hong Kong)', () => {
      const address = { street: '1 Harbour View Street', city: 'Hong Kong', country: 'Hong Kong' };
      const decoded = expectEvent(decode(v2With('shippingAddress', address)));
      expect(decoded.event.shippingAddress).to.deep.equal(address);
    });

    it('accepts a shipping address whose state and zip code are null', () => {
      const address = {
        street: 'Rua Augusta 274',
        city: 'Lisboa',
        state: null,
        zipCode: null,
        country: 'Portugal',
      };
      expect(expectEvent(decode(v2With('shippingAddress', address))).schemaVersion).to.equal(2);
    });

    it('accepts and keeps a non-ASCII product name with emoji exactly as sent', () => {
      const productName = '🎧 Kopfhörer “Ruhe” – 無線ヘッドホン';
      const decoded = expectEvent(decode(v1With('productName', productName)));
      expect(decoded.event.productName).to.equal(productName);
    });

    it('accepts a timestamp with a UTC offset instead of Z', () => {
      expectEvent(decode(v1With('timestamp', '2025-10-08T17:30:22.456+02:00')));
    });
  });

  describe('given a message that is not a JSON document', () => {
    it('rejects a null value as malformed', () => {
      expectRejection(decodeEvent(null), 'EVENT_MALFORMED');
    });

    it('rejects an empty value as malformed', () => {
      expectRejection(decodeEvent(Buffer.alloc(0)), 'EVENT_MALFORMED');
    });

    it('rejects bytes that are not UTF-8 as malformed, saying so', () => {
      const reason = expectRejection(
        decodeEvent(Buffer.from([0xff, 0xfe, 0xc3, 0x28])),
        'EVENT_MALFORMED',
      );
      expect(reason).to.include('UTF-8');
    });

    it('rejects an event whose text holds an invalid UTF-8 sequence instead of replacing it', () => {
      const [head, tail] = JSON.stringify(exampleV1Event()).split('Wireless');
      const value = Buffer.concat([
        Buffer.from(`${head}`),
        Buffer.from([0xc3, 0x28]),
        Buffer.from(`${tail}`),
      ]);
      expectRejection(decodeEvent(value), 'EVENT_MALFORMED');
    });

    it('rejects text that is not valid JSON as malformed, saying so', () => {
      const reason = expectRejection(
        decodeEvent(Buffer.from('{"eventId":"evt_1",')),
        'EVENT_MALFORMED',
      );
      expect(reason).to.include('JSON');
    });

    it('rejects whitespace alone as malformed', () => {
      expectRejection(decodeEvent(Buffer.from('  \n')), 'EVENT_MALFORMED');
    });
  });

  describe('given JSON that is not an object', () => {
    for (const [description, text] of [
      ['null', 'null'],
      ['an array', '[{"eventType":"product.purchased"}]'],
      ['a number', '42'],
      ['a string', '"product.purchased"'],
      ['a boolean', 'true'],
    ] as const) {
      it(`rejects ${description} as a schema violation`, () => {
        expectViolation(decodeEvent(Buffer.from(text)));
      });
    }
  });

  describe('event types', () => {
    it('skips an event of another type', () => {
      expect(decode(v1With('eventType', 'product.viewed'))).to.deep.equal({
        kind: 'skip',
        reason: 'other-event-type',
      });
    });

    it('skips an event of another type even when the rest would not be a valid purchase', () => {
      expect(decode({ eventType: 'cart.abandoned' }).kind).to.equal('skip');
    });

    it('rejects an event without eventType, naming eventType', () => {
      const event: Record<string, unknown> = exampleV1Event();
      delete event['eventType'];
      expect(expectViolation(decode(event))).to.include('eventType');
    });

    it('rejects an eventType that is not a string instead of skipping it', () => {
      expect(expectViolation(decode(v1With('eventType', 42)))).to.include('eventType');
      expect(expectViolation(decode(v1With('eventType', null)))).to.include('eventType');
    });
  });

  describe('required fields', () => {
    const requiredFields = [
      'eventId',
      'eventType',
      'timestamp',
      'userId',
      'productId',
      'productName',
      'price',
      'currency',
      'quantity',
    ] as const;

    for (const field of requiredFields) {
      it(`rejects a version 1 event without ${field}, naming ${field} in the reason`, () => {
        const event: Record<string, unknown> = exampleV1Event();
        delete event[field];
        expect(expectViolation(decode(event))).to.include(field);
      });

      it(`rejects a version 2 event without ${field}, naming ${field} in the reason`, () => {
        const event: Record<string, unknown> = exampleV2Event();
        delete event[field];
        expect(expectViolation(decode(event))).to.include(field);
      });
    }

    for (const field of ['eventId', 'userId', 'productId', 'productName'] as const) {
      it(`rejects an empty ${field}`, () => {
        expect(expectViolation(decode(v1With(field, '')))).to.include(field);
      });
    }
  });

  describe('field types', () => {
    const wrongTypes: [field: string, value: unknown, description: string][] = [
      ['eventId', 123456, 'a number'],
      ['timestamp', 1728401422456, 'epoch milliseconds'],
      ['userId', null, 'null'],
      ['productId', { id: 'prod_abc123' }, 'an object'],
      ['productName', ['Wireless Headphones'], 'an array'],
      ['category', 7, 'a number'],
      ['price', '129.99', 'a string'],
      ['price', null, 'null'],
      ['currency', 840, 'a number'],
      ['quantity', '2', 'a string'],
      ['quantity', true, 'a boolean'],
      ['metadata', 'mobile_app', 'a string'],
      ['metadata', [], 'an array'],
      ['discountCode', 2025, 'a number'],
      ['discountAmount', '20.00', 'a string'],
      ['taxAmount', false, 'a boolean'],
      ['shippingAddress', '123 Main St, San Francisco', 'a string'],
      ['shippingAddress', [], 'an array'],
    ];

    for (const [field, value, description] of wrongTypes) {
      it(`rejects ${field} given as ${description}, naming ${field}`, () => {
        expect(expectViolation(decode(v2With(field, value)))).to.include(field);
      });
    }
  });

  describe('quantity', () => {
    for (const quantity of [0, -1, 1.5]) {
      it(`rejects a quantity of ${quantity}`, () => {
        expect(expectViolation(decode(v1With('quantity', quantity)))).to.include('quantity');
      });
    }

    it('accepts the largest quantity a Postgres integer holds', () => {
      expectEvent(decode(v1With('quantity', 2_147_483_647)));
    });

    it('rejects a quantity a Postgres integer cannot hold', () => {
      expectViolation(decode(v1With('quantity', 2_147_483_648)));
    });
  });

  describe('amounts of money', () => {
    for (const price of [129.99, 0, 12, 0.5, 99_999_999.99]) {
      it(`accepts a price of ${price}`, () => {
        expect(expectEvent(decode(v1With('price', price))).event.price).to.equal(price);
      });
    }

    const invalidPrices: [price: number, description: string][] = [
      [1.005, 'three decimals'],
      [1e-7, 'seven decimals written with an exponent'],
      [-0.01, 'a negative amount'],
      [100_000_000, 'more than numeric(10,2) holds'],
      [1e21, 'far more than numeric(10,2) holds'],
    ];
    for (const [price, description] of invalidPrices) {
      it(`rejects a price with ${description} (${price}), naming price`, () => {
        expect(expectViolation(decode(v1With('price', price)))).to.include('price');
      });
    }

    it('rejects a negative discount amount, naming discountAmount', () => {
      expect(expectViolation(decode(v2With('discountAmount', -20)))).to.include('discountAmount');
    });

    it('rejects a discount amount with three decimals', () => {
      expect(expectViolation(decode(v2With('discountAmount', 0.125)))).to.include('discountAmount');
    });

    it('rejects a negative tax amount, naming taxAmount', () => {
      expect(expectViolation(decode(v2With('taxAmount', -0.01)))).to.include('taxAmount');
    });

    it('accepts a zero discount and zero tax, keeping them as zero', () => {
      const event = { ...exampleV2Event(), discountAmount: 0, taxAmount: 0 };
      const decoded = expectEvent(decode(event));
      expect(decoded.event.discountAmount).to.equal(0);
      expect(decoded.event.taxAmount).to.equal(0);
    });
  });

  describe('currency', () => {
    for (const currency of ['US', 'usd', 'USDX', 'XX1', '']) {
      it(`rejects the currency "${currency}", naming currency`, () => {
        expect(expectViolation(decode(v1With('currency', currency)))).to.include('currency');
      });
    }

    it('accepts any three-letter upper-case code', () => {
      expectEvent(decode(v1With('currency', 'JPY')));
    });
  });

  describe('timestamp', () => {
    const invalidTimestamps: [timestamp: string, description: string][] = [
      ['yesterday', 'a word'],
      ['2025-10-08 15:30', 'no T, no seconds and no time zone'],
      ['2025-10-08T15:30:22', 'no time zone'],
      ['2025-10-08', 'a date alone'],
      ['2025-02-30T10:00:00Z', 'a day the month does not have'],
      ['2025-10-08T25:00:00Z', 'an hour that does not exist'],
    ];
    for (const [timestamp, description] of invalidTimestamps) {
      it(`rejects a timestamp with ${description} ("${timestamp}"), naming timestamp`, () => {
        expect(expectViolation(decode(v1With('timestamp', timestamp)))).to.include('timestamp');
      });
    }
  });

  describe('text lengths, which mirror the columns', () => {
    const limits: [field: string, maxLength: number][] = [
      ['eventId', 255],
      ['userId', 255],
      ['productId', 255],
      ['productName', 500],
      ['category', 255],
      ['discountCode', 100],
    ];
    for (const [field, maxLength] of limits) {
      it(`accepts ${field} of exactly ${maxLength} characters`, () => {
        expectEvent(decode(v2With(field, 'x'.repeat(maxLength))));
      });

      it(`rejects ${field} of ${maxLength + 1} characters, naming ${field}`, () => {
        expect(expectViolation(decode(v2With(field, 'x'.repeat(maxLength + 1))))).to.include(field);
      });
    }

    const addressLimits: [field: string, maxLength: number][] = [
      ['street', 255],
      ['city', 255],
      ['state', 100],
      ['zipCode', 20],
      ['country', 100],
    ];
    for (const [field, maxLength] of addressLimits) {
      it(`accepts shippingAddress.${field} of exactly ${maxLength} characters`, () => {
        expectEvent(decode(v2WithAddress(field, 'x'.repeat(maxLength))));
      });

      it(`rejects shippingAddress.${field} of ${maxLength + 1} characters, naming it`, () => {
        const reason = expectViolation(decode(v2WithAddress(field, 'x'.repeat(maxLength + 1))));
        expect(reason).to.include(`/shippingAddress/${field}`);
      });
    }

    it('counts characters, not UTF-16 code units: 500 emoji fit productName', () => {
      expectEvent(decode(v1With('productName', '🎧'.repeat(500))));
    });

    it('rejects 501 emoji in productName', () => {
      expectViolation(decode(v1With('productName', '🎧'.repeat(501))));
    });
  });

  describe('NUL characters, which Postgres text cannot hold', () => {
    it('rejects a NUL character in productName, naming productName', () => {
      const reason = expectViolation(decode(v1With('productName', 'Wireless\u0000Headphones')));
      expect(reason).to.include('productName');
    });

    it('rejects a NUL character in a shipping address field', () => {
      const reason = expectViolation(decode(v2WithAddress('city', 'San\u0000Francisco')));
      expect(reason).to.include('/shippingAddress/city');
    });
  });

  describe('the shipping address', () => {
    for (const field of ['street', 'city', 'country']) {
      it(`rejects an address without ${field}, naming ${field}`, () => {
        const reason = expectViolation(decode(v2WithAddress(field, undefined)));
        expect(reason).to.include('shippingAddress').and.to.include(field);
      });
    }
  });

  describe('as a tolerant reader', () => {
    it('accepts and keeps fields it does not know', () => {
      const event = { ...exampleV2Event(), loyaltyTier: 'gold', giftWrap: { paper: 'red' } };
      const decoded = expectEvent(decode(event));
      expect(decoded.event).to.deep.equal(event);
    });

    it('accepts unknown fields inside the shipping address', () => {
      expectEvent(decode(v2WithAddress('apartment', '4B')));
    });

    it('treats an event with only unknown extra fields as schema version 1', () => {
      expect(expectEvent(decode(v1With('couponCode', 'X'))).schemaVersion).to.equal(1);
    });
  });

  describe('prototype pollution', () => {
    const withPrototypeKeys = (event: object): Buffer =>
      Buffer.from(
        JSON.stringify(event).replace(
          /^\{/,
          '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},',
        ),
      );

    it('accepts __proto__ and constructor as own properties of the event', () => {
      const decoded = expectEvent(decodeEvent(withPrototypeKeys(exampleV1Event())));
      expect(Object.hasOwn(decoded.event, '__proto__')).to.be.true;
      expect(Object.hasOwn(decoded.event, 'constructor')).to.be.true;
      expect(Object.getPrototypeOf(decoded.event)).to.equal(Object.prototype);
    });

    it('does not pollute Object.prototype', () => {
      decodeEvent(withPrototypeKeys(exampleV2Event()));
      expect(Object.hasOwn(Object.prototype, 'polluted')).to.be.false;
      expect(({} as Record<string, unknown>)['polluted']).to.be.undefined;
    });

    it('does not take a missing required field from a __proto__ key', () => {
      const event: Record<string, unknown> = exampleV1Event();
      delete event['eventId'];
      const text = JSON.stringify(event).replace(
        /^\{/,
        '{"__proto__":{"eventId":"evt_from_proto"},',
      );
      expect(expectViolation(decodeEvent(Buffer.from(text)))).to.include('eventId');
    });
  });

  describe('rejection reasons', () => {
    it('do not contain an invalid currency', () => {
      expect(expectViolation(decode(v1With('currency', 'XX1')))).to.not.include('XX1');
    });

    it('do not contain an invalid timestamp', () => {
      expect(expectViolation(decode(v1With('timestamp', 'yesterday')))).to.not.include('yesterday');
    });

    it('do not contain an over-long product name', () => {
      const productName = `Secret Product ${'x'.repeat(500)}`;
      expect(expectViolation(decode(v1With('productName', productName)))).to.not.include(
        'Secret Product',
      );
    });

    it('do not contain a product name holding a NUL character', () => {
      const reason = expectViolation(decode(v1With('productName', 'Secret\u0000Product')));
      expect(reason).to.not.include('Secret');
    });

    it('do not contain an invalid price', () => {
      expect(expectViolation(decode(v1With('price', 1.005)))).to.not.include('1.005');
    });

    it('do not contain a userId of the wrong type', () => {
      expect(expectViolation(decode(v1With('userId', 987654321)))).to.not.include('987654321');
    });
  });
});
