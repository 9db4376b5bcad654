// fast-check generators of Kafka message values for the product.purchased pipeline: valid v1 and
// v2 events written as JSON text (so numbers can carry any text the JSON grammar allows), and
// mutations of them that the consumer must dead-letter, skip, or store exactly. Values are built
// as text on purpose: a JavaScript object could not hold `1e400` or `0.1000000000000000000001`.
import fc from 'fast-check';
import { productPurchasedV1 } from '../../src/domain/schemas/product-purchased.v1.ts';

/** One JSON member: the key and the member's JSON text. */
type Member = readonly [key: string, json: string];

const quote = (text: string) => JSON.stringify(text);
export const objectText = (members: readonly Member[]) =>
  `{${members.map(([key, json]) => `${quote(key)}:${json}`).join(',')}}`;

/** Any JSON number text: sign, leading digits, fraction and exponent in every legal form. */
export const jsonNumberText = fc
  .tuple(
    fc.boolean(),
    fc.oneof(fc.constant('0'), fc.stringMatching(/^[1-9]\d{0,22}$/)),
    fc.option(fc.stringMatching(/^\d{1,24}$/), { nil: undefined }),
    fc.option(fc.tuple(fc.constantFrom('e', 'E', 'e+', 'e-'), fc.integer({ min: 0, max: 450 })), {
      nil: undefined,
    }),
  )
  .map(
    ([negative, whole, fraction, exponent]) =>
      `${negative ? '-' : ''}${whole}${fraction === undefined ? '' : `.${fraction}`}${exponent === undefined ? '' : `${exponent[0]}${exponent[1]}`}`,
  );

/** Money as numeric(10,2) holds it, written in any equivalent JSON form; sometimes not so. */
export const moneyText = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 9_999_999_999 }).chain(centsForms) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('99999999.99', '0', '-0', '0.10', '12.0000000000000001'),
  },
  { weight: 1, arbitrary: jsonNumberText },
);

function centsForms(cents: number) {
  const whole = Math.floor(cents / 100);
  const fraction = String(cents % 100).padStart(2, '0');
  return fc.constantFrom(
    `${whole}.${fraction}`,
    String(cents / 100),
    `${cents}e-2`,
    `${cents}0E-3`,
    `${whole}.${fraction}00`,
  );
}

/** Text of any code points, including the edges: NUL, lone surrogates, astral characters. */
const anyText = (maxLength: number) =>
  fc.oneof(
    { weight: 5, arbitrary: fc.string({ minLength: 1, maxLength, unit: 'grapheme' }) },
    { weight: 2, arbitrary: fc.string({ minLength: 1, maxLength, unit: 'binary' }) },
    { weight: 1, arbitrary: fc.constantFrom('\u0000', 'a\ud800b', '\udc00', '😀', 'é', ' ') },
  );

const pad = (value: number, width: number) => String(value).padStart(width, '0');

/** RFC 3339 text: mostly instants Postgres stores unchanged, now and then one it would change. */
export const timestampText = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .record({
        year: fc.integer({ min: 1, max: 9999 }),
        month: fc.integer({ min: 1, max: 12 }),
        day: fc.integer({ min: 1, max: 28 }),
        hour: fc.integer({ min: 0, max: 23 }),
        minute: fc.integer({ min: 0, max: 59 }),
        second: fc.integer({ min: 0, max: 59 }),
        fraction: fc.stringMatching(/^\d{0,6}$/),
        offsetMinutes: fc.integer({ min: -959, max: 959 }),
        zulu: fc.boolean(),
      })
      .map((t) => {
        const offset = t.zulu
          ? 'Z'
          : `${t.offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(t.offsetMinutes) / 60), 2)}:${pad(Math.abs(t.offsetMinutes) % 60, 2)}`;
        const fraction = t.fraction === '' ? '' : `.${t.fraction}`;
        return `${pad(t.year, 4)}-${pad(t.month, 2)}-${pad(t.day, 2)}T${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}${fraction}${offset}`;
      }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '2025-06-30T23:59:60Z',
      '2025-10-08T15:30:22.1234567Z',
      '2025-10-08T15:30:22+16:00',
      '0000-01-01T00:00:00Z',
      '2025-02-29T00:00:00Z',
    ),
  },
);

/** Free-form metadata JSON: nested objects and arrays, numbers of any text, odd strings. */
const metadataText: fc.Arbitrary<string> = fc.letrec<{ value: string; object: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    jsonNumberText,
    anyText(12).map(quote),
    fc.constantFrom('true', 'false', 'null'),
    tie('object'),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
  ),
  object: fc
    .array(fc.tuple(anyText(8), tie('value')), { maxLength: 4 })
    .map((members) => objectText(members)),
})).object;

const addressText = fc
  .record(
    {
      street: anyText(40).map(quote),
      city: anyText(20).map(quote),
      state: fc.option(anyText(10).map(quote), { nil: 'null' }),
      zipCode: fc.option(anyText(10).map(quote), { nil: 'null' }),
      country: anyText(20).map(quote),
    },
    { requiredKeys: ['street', 'city', 'country'] },
  )
  .map((address) => objectText(Object.entries(address)));

/** A product.purchased event as JSON members; eventIds come from a small pool, so they repeat. */
export const eventMembers = (ids: readonly string[]): fc.Arbitrary<Member[]> =>
  fc
    .record(
      {
        eventId: fc.constantFrom(...ids).map(quote),
        eventType: fc.constant(quote('product.purchased')),
        timestamp: timestampText.map(quote),
        userId: anyText(20).map(quote),
        productId: anyText(20).map(quote),
        productName: anyText(40).map(quote),
        category: fc.option(anyText(20).map(quote), { nil: 'null' }),
        price: moneyText,
        currency: fc.stringMatching(/^[A-Z]{3}$/).map(quote),
        quantity: fc.oneof(fc.integer({ min: 1, max: 2_147_483_647 }).map(String), jsonNumberText),
        metadata: fc.oneof(metadataText, fc.constant('null')),
        discountCode: fc.option(anyText(20).map(quote), { nil: 'null' }),
        discountAmount: fc.option(moneyText, { nil: 'null' }),
        taxAmount: fc.option(moneyText, { nil: 'null' }),
        shippingAddress: fc.option(addressText, { nil: 'null' }),
        x_unknown: metadataText,
      },
      { requiredKeys: [...productPurchasedV1.required] },
    )
    .map((event) => Object.entries(event) as Member[]);

/** Changes a valid event into something else: missing, wrong-typed, huge, deep, wide, or foreign. */
export const mutation: fc.Arbitrary<(members: Member[]) => string> = fc.oneof(
  fc
    .constantFrom('price', 'timestamp', 'eventId', 'quantity', 'currency')
    .map((field) => (members: Member[]) => objectText(members.filter(([key]) => key !== field))),
  fc
    .tuple(fc.constantFrom('price', 'quantity', 'userId', 'metadata', 'shippingAddress'), fc.json())
    .map(
      ([field, json]) =>
        (members: Member[]) =>
          objectText([...members.filter(([key]) => key !== field), [field, json]]),
    ),
  fc.constant((members: Member[]) =>
    objectText([...members, ['metadata', `${'{"a":'.repeat(40)}1${'}'.repeat(40)}`]]),
  ),
  fc.constant((members: Member[]) =>
    objectText([...members, ['x_deep', `${'['.repeat(5_000)}${']'.repeat(5_000)}`]]),
  ),
  fc.constant((members: Member[]) =>
    objectText([...members, ['metadata', `{"items":[${new Array(20_000).fill('0').join(',')}]}`]]),
  ),
  fc.constant((members: Member[]) =>
    objectText([...members, ['productName', quote('x'.repeat(501))]]),
  ),
  fc.constant((members: Member[]) =>
    objectText([...members, ['eventType', quote('product.viewed')]]),
  ),
  fc.constant((members: Member[]) => objectText(members).slice(0, -3)),
  fc.constant(() => ''),
);

/** The message values of one stream: valid events, their mutations, and copies of both. */
export const messageStream = (ids: readonly string[]): fc.Arbitrary<string[]> =>
  fc
    .array(fc.tuple(eventMembers(ids), fc.option(mutation, { freq: 4, nil: undefined })), {
      minLength: 1,
      maxLength: 14,
    })
    .map((items) => items.map(([members, mutate]) => (mutate ?? objectText)(members)))
    .chain((values) =>
      // Exact copies (redeliveries) at random places: byte-identical repeats of earlier messages.
      fc
        .array(fc.tuple(fc.nat(values.length - 1), fc.nat(values.length)), { maxLength: 4 })
        .map((copies) => {
          const stream = [...values];
          for (const [from, at] of copies) stream.splice(at, 0, values[from] ?? '');
          return stream;
        }),
    );

/** Where to cut a stream of `length` messages into batches: sorted, distinct cut points. */
export const batchCuts = (length: number) =>
  fc
    .uniqueArray(fc.integer({ min: 1, max: Math.max(1, length - 1) }), { maxLength: length })
    .map((cuts) => cuts.filter((cut) => cut < length).sort((a, b) => a - b));

/**
 * How processBatch may slice batches of these values: a byte bound from one byte (every message
 * a slice of its own) to all of them, and a message count from one to all; small slices more
 * often, where copies of one eventId land in different slices.
 */
export const sliceLimits = (values: readonly string[]) => {
  const totalBytes = values.reduce((sum, value) => sum + Buffer.byteLength(value), 0);
  const upTo = (max: number) => fc.integer({ min: 1, max: Math.max(1, Math.floor(max)) });
  return fc.record({
    maxBytes: fc.oneof(upTo(totalBytes / 4), upTo(totalBytes)),
    maxMessages: fc.oneof(upTo(3), upTo(values.length)),
  });
};
