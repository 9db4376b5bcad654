// Hostile input for the consumer: each kind of message with the one outcome it must have. Stored
// (and then its row must be exactly the event), dead-lettered with a given dlq.error.code, or
// skipped (neither). Every call builds fresh event ids, so corpora never collide.
import { randomBytes } from 'node:crypto';
import type { ErrorCode } from '../../../src/domain/errors/error-codes.ts';
import { generateOldEvent } from '../../../src/apps/producer/generate-event.ts';
import type { ProductPurchasedV2 } from '../../../src/domain/schemas/types.ts';

export type Expected =
  | { readonly outcome: 'stored'; readonly event: ProductPurchasedV2 }
  | {
      readonly outcome: 'dead-lettered';
      readonly code: ErrorCode;
      /** Text the dlq.error.reason must contain (a field name, an SQLSTATE). */
      readonly reasonMentions?: string;
    }
  | { readonly outcome: 'skipped' };

export interface HostileMessage {
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
  /** The event these bytes spell, when they spell one: shows whether it was stored anyway. */
  readonly content?: ProductPurchasedV2;
  /** The event's own values: a dead letter's reason must never contain them. */
  readonly secrets: readonly string[];
  readonly expected: Expected;
}

export interface HostileCase {
  readonly kind: string;
  /** 1: produced first; 2: produced once phase 1 is stored (replays across batches). */
  readonly phase: 1 | 2;
  readonly messages: readonly HostileMessage[];
}

/** Roughly the size of the "1 MB" messages (bytes of the value). */
export const oneMegabyte = 1_000_000;

/** Any JSON object: an event, or something close to one. */
type Json = object;

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');
const asEvent = (value: Json) => value as unknown as ProductPurchasedV2;

/** Every string in the value at least 8 characters long: the data a reason must not echo. */
function secretsOf(value: unknown): string[] {
  if (typeof value === 'string') return value.length >= 8 ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(secretsOf);
  if (value !== null && typeof value === 'object') {
    // Values only: keys are mostly the schema's field names, which a reason may well name.
    return Object.values(value).flatMap(secretsOf);
  }
  return [];
}

const notSecret = new Set(['product.purchased']);

function message(
  value: Buffer | null,
  expected: Expected,
  content?: Json,
  options: { key?: string | null; headers?: Record<string, string> } = {},
): HostileMessage {
  return {
    key: options.key === undefined ? `user_hostile_${hex(3)}` : options.key,
    value,
    headers: options.headers ?? {},
    ...(content === undefined ? {} : { content: asEvent(content) }),
    secrets: secretsOf(content).filter((text) => !notSecret.has(text)),
    expected,
  };
}

const storedAs = (event: Json): Expected => ({ outcome: 'stored', event: asEvent(event) });
const deadLettered = (code: ErrorCode, reasonMentions?: string): Expected => ({
  outcome: 'dead-lettered',
  code,
  ...(reasonMentions === undefined ? {} : { reasonMentions }),
});
const skipped: Expected = { outcome: 'skipped' };

/** An original-shape event, as the real producer makes them. */
export const validEvent = (): ProductPurchasedV2 => generateOldEvent();

/** A new-shape event with every v2 field, the address without state and zip code. */
export const fullV2Event = (): ProductPurchasedV2 => ({
  ...generateOldEvent(),
  discountCode: `SAVE-${hex(2)}`,
  discountAmount: 5.5,
  taxAmount: 1.23,
  shippingAddress: {
    street: '1 Rue de la Paix',
    city: 'Paris',
    state: null,
    zipCode: null,
    country: 'France',
  },
});

function without(event: Json, field: string): Json {
  const copy: Record<string, unknown> = { ...event };
  delete copy[field];
  return copy;
}

/** The event's JSON text with one value replaced by raw JSON text (what JSON.stringify can't write). */
function withRawValue(event: Json, field: string, rawJson: string): Buffer {
  const placeholder = `@@${hex(6)}@@`;
  const text = JSON.stringify({ ...event, [field]: placeholder });
  return Buffer.from(text.replace(`"${placeholder}"`, rawJson), 'utf8');
}

/** The event's UTF-8 bytes with the productName replaced by raw bytes. */
function withRawProductName(event: Json, bytes: readonly number[]): Buffer {
  const placeholder = `@@${hex(6)}@@`;
  const text = JSON.stringify({ ...event, productName: placeholder });
  const [before = '', after = ''] = text.split(placeholder);
  return Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]);
}

/** An object with an own, enumerable property named `__proto__`, as JSON.parse makes them. */
function withOwnProto(protoValue: unknown, rest: Json): Json {
  const object = {};
  Object.defineProperty(object, '__proto__', {
    value: protoValue,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return Object.assign(object, rest);
}

function nested(depth: number): Json {
  let value: Json = { leaf: true };
  for (let i = 0; i < depth; i += 1) value = { a: value };
  return value;
}

/** A string of about `bytes` UTF-8 bytes, mixing one- to four-byte characters. */
function textOfBytes(bytes: number): string {
  const pattern = 'abc–é€🎧xyz';
  const patternBytes = Buffer.byteLength(pattern);
  const text = pattern.repeat(Math.floor(bytes / patternBytes));
  return text + 'x'.repeat(bytes - Buffer.byteLength(text));
}

const one = (kind: string, messages: HostileMessage[], phase: 1 | 2 = 1): HostileCase => ({
  kind,
  phase,
  messages,
});

/** A case whose single message is the event as JSON, expected stored exactly. */
const storedCase = (kind: string, event: Json) =>
  one(kind, [message(json(event), storedAs(event), event)]);

/** A case whose single message is the value, expected dead-lettered with the code. */
const rejectedCase = (
  kind: string,
  value: Buffer | null,
  code: ErrorCode,
  options: { mentions?: string; content?: Json; key?: string | null } = {},
) =>
  one(kind, [
    message(value, deadLettered(code, options.mentions), options.content, { key: options.key }),
  ]);

/** A schema violation: the event as JSON, dead-lettered naming the field. */
const violation = (kind: string, event: Json, mentions?: string) =>
  rejectedCase(kind, json(event), 'EVENT_SCHEMA_VIOLATION', { mentions, content: event });

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

export function hostileCorpus(): HostileCase[] {
  const cases: HostileCase[] = [];
  const add = (...more: HostileCase[]) => cases.push(...more);

  // Not JSON in UTF-8 at all.
  add(
    rejectedCase(
      'truncated JSON',
      Buffer.from(JSON.stringify(validEvent()).slice(0, 40)),
      'EVENT_MALFORMED',
    ),
    rejectedCase(
      'a JavaScript object literal, not JSON',
      Buffer.from("{eventId: 'evt_1', price: 1}"),
      'EVENT_MALFORMED',
    ),
    rejectedCase(
      'a valid event followed by trailing garbage',
      Buffer.concat([json(validEvent()), Buffer.from(' }x')]),
      'EVENT_MALFORMED',
    ),
    rejectedCase('an empty value', Buffer.alloc(0), 'EVENT_MALFORMED'),
    rejectedCase('a null value (a tombstone) with a null key', null, 'EVENT_MALFORMED', {
      key: null,
    }),
    rejectedCase(
      'binary garbage (a PNG header and random bytes)',
      Buffer.concat([
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        randomBytes(64),
      ]),
      'EVENT_MALFORMED',
    ),
    rejectedCase(
      'invalid UTF-8 inside a productName (0xC3 0x28)',
      withRawProductName(validEvent(), [0x4b, 0xc3, 0x28, 0x4b]),
      'EVENT_MALFORMED',
    ),
    rejectedCase(
      'an overlong UTF-8 encoding of "/" (0xC0 0xAF)',
      withRawProductName(validEvent(), [0xc0, 0xaf]),
      'EVENT_MALFORMED',
    ),
    rejectedCase(
      'a UTF-8-encoded surrogate (0xED 0xA0 0x80)',
      withRawProductName(validEvent(), [0xed, 0xa0, 0x80]),
      'EVENT_MALFORMED',
    ),
    rejectedCase(
      'a raw NUL byte inside a JSON string',
      withRawProductName(validEvent(), [0x41, 0x00, 0x42]),
      'EVENT_MALFORMED',
    ),
    rejectedCase(
      'an event encoded as UTF-16 with a byte-order mark',
      Buffer.from(`\ufeff${JSON.stringify(validEvent())}`, 'utf16le'),
      'EVENT_MALFORMED',
    ),
    one('a malformed value carrying spoofed dlq.* headers', [
      message(Buffer.from('{"eventId": "evt_spoof'), deadLettered('EVENT_MALFORMED'), undefined, {
        headers: {
          'dlq.error.code': 'SPOOFED_CODE',
          'dlq.error.reason': 'spoofed reason',
          'dlq.source.offset': '999999',
          'trace-id': 'trace-spoof',
        },
      }),
    ]),
  );

  // JSON, but not an object.
  add(
    rejectedCase('a JSON null', Buffer.from('null'), 'EVENT_SCHEMA_VIOLATION', {
      mentions: 'JSON object',
    }),
    rejectedCase(
      'a JSON array holding a valid event',
      json([validEvent()]),
      'EVENT_SCHEMA_VIOLATION',
      { mentions: 'JSON object' },
    ),
    rejectedCase('a JSON string', Buffer.from('"product.purchased"'), 'EVENT_SCHEMA_VIOLATION', {
      mentions: 'JSON object',
    }),
    rejectedCase('a JSON number', Buffer.from('42'), 'EVENT_SCHEMA_VIOLATION', {
      mentions: 'JSON object',
    }),
    rejectedCase('a JSON boolean', Buffer.from('true'), 'EVENT_SCHEMA_VIOLATION', {
      mentions: 'JSON object',
    }),
    violation('an empty object', {}, 'required property'),
  );

  // Each required field missing.
  for (const field of requiredFields) {
    add(violation(`a missing ${field}`, without(validEvent(), field), `'${field}'`));
  }
  const smuggled = validEvent();
  add(
    rejectedCase(
      'every required field only inside a "__proto__" key',
      Buffer.from(`{"__proto__":${JSON.stringify(smuggled)}}`),
      'EVENT_SCHEMA_VIOLATION',
      { mentions: "'eventId'", content: withOwnProto(smuggled, {}) },
    ),
  );

  // Wrong types.
  add(
    violation('a price as a string', { ...validEvent(), price: '129.99' }, '/price'),
    violation('a quantity as a string', { ...validEvent(), quantity: '2' }, '/quantity'),
    violation('an eventId as a number', { ...validEvent(), eventId: 12345678901 }, '/eventId'),
    violation(
      'a timestamp as epoch milliseconds',
      { ...validEvent(), timestamp: Date.now() },
      '/timestamp',
    ),
    violation('metadata as a string', { ...validEvent(), metadata: 'source=web' }, '/metadata'),
    violation('metadata as an array', { ...validEvent(), metadata: ['web'] }, '/metadata'),
    violation('an eventType as a number', { ...validEvent(), eventType: 42 }, '/eventType'),
    violation('a userId as an object', { ...validEvent(), userId: { id: 7 } }, '/userId'),
    violation('a category as a boolean', { ...validEvent(), category: true }, '/category'),
    violation(
      'a shippingAddress as a string',
      { ...validEvent(), shippingAddress: '1 Main St, Springfield' },
      '/shippingAddress',
    ),
  );

  // Quantities and money out of range.
  add(
    violation('a zero quantity', { ...validEvent(), quantity: 0 }, '/quantity'),
    violation('a negative quantity', { ...validEvent(), quantity: -3 }, '/quantity'),
    violation('a fractional quantity', { ...validEvent(), quantity: 1.5 }, '/quantity'),
    violation(
      'a quantity beyond a 32-bit integer',
      { ...validEvent(), quantity: 2_147_483_648 },
      '/quantity',
    ),
    violation('a price with 3 decimals', { ...validEvent(), price: 19.999 }, '/price'),
    violation('a negative price', { ...validEvent(), price: -0.01 }, '/price'),
    violation('a price of 1e9 (numeric(10,2) overflow)', { ...validEvent(), price: 1e9 }, '/price'),
    violation(
      'a price with binary floating-point noise',
      { ...validEvent(), price: 0.1 + 0.2 },
      '/price',
    ),
    rejectedCase(
      'a price of 1e400 (beyond a double)',
      withRawValue(validEvent(), 'price', '1e400'),
      'EVENT_SCHEMA_VIOLATION',
      { mentions: '/price' },
    ),
    // Metadata numbers a double cannot hold (1e400, integers beyond 2^53) are stored exactly as
    // sent: test/integration/pipeline/process-batch.property.test.ts reads such rows back in SQL.
    violation(
      'a discountAmount of 1e9 (numeric(10,2) overflow)',
      { ...fullV2Event(), discountAmount: 1e9 },
      '/discountAmount',
    ),
    violation(
      'a negative discountAmount',
      { ...fullV2Event(), discountAmount: -5 },
      '/discountAmount',
    ),
    violation('a taxAmount with 3 decimals', { ...fullV2Event(), taxAmount: 1.234 }, '/taxAmount'),
  );

  // Currencies and timestamps.
  add(
    violation('a two-letter currency', { ...validEvent(), currency: 'US' }, '/currency'),
    violation('a lower-case currency', { ...validEvent(), currency: 'usd' }, '/currency'),
    violation('a four-letter currency', { ...validEvent(), currency: 'USDT' }, '/currency'),
    violation(
      'an unparseable timestamp',
      { ...validEvent(), timestamp: 'yesterday at noon' },
      '/timestamp',
    ),
    violation(
      'a timestamp without a time zone',
      { ...validEvent(), timestamp: '2025-01-01T12:00:00' },
      '/timestamp',
    ),
    violation(
      'a timestamp on February 30th',
      { ...validEvent(), timestamp: '2025-02-30T12:00:00Z' },
      '/timestamp',
    ),
  );

  // Strings longer than their columns, or empty.
  add(
    violation(
      'an eventId of 256 characters',
      { ...validEvent(), eventId: 'e'.repeat(256) },
      '/eventId',
    ),
    violation(
      'a userId of 256 characters',
      { ...validEvent(), userId: 'u'.repeat(256) },
      '/userId',
    ),
    violation(
      'a productId of 256 characters',
      { ...validEvent(), productId: 'p'.repeat(256) },
      '/productId',
    ),
    violation(
      'a productName of 501 characters',
      { ...validEvent(), productName: 'n'.repeat(501) },
      '/productName',
    ),
    violation(
      'a productName of 501 astral-plane characters',
      { ...validEvent(), productName: '𝄞'.repeat(501) },
      '/productName',
    ),
    violation(
      'a category of 256 characters',
      { ...validEvent(), category: 'c'.repeat(256) },
      '/category',
    ),
    violation(
      'a discountCode of 101 characters',
      { ...fullV2Event(), discountCode: 'D'.repeat(101) },
      '/discountCode',
    ),
    violation(
      'a zipCode of 21 characters',
      {
        ...fullV2Event(),
        shippingAddress: { street: '1 Main St', city: 'X', zipCode: '9'.repeat(21), country: 'US' },
      },
      '/shippingAddress/zipCode',
    ),
    violation(
      'a shipping address without a city',
      { ...fullV2Event(), shippingAddress: { street: '1 Main St', country: 'US' } },
      "'city'",
    ),
    violation('an empty productName', { ...validEvent(), productName: '' }, '/productName'),
  );

  // NUL characters: refused by the schema where it looks, by Postgres inside metadata.
  add(
    violation(
      'a NUL character in the productName',
      { ...validEvent(), productName: 'Head\u0000phones' },
      '/productName',
    ),
    violation(
      'a NUL character in the eventId',
      { ...validEvent(), eventId: `evt_${hex(4)}\u0000` },
      '/eventId',
    ),
    violation(
      'a NUL character in the shipping street',
      {
        ...fullV2Event(),
        shippingAddress: { street: 'Main\u0000St', city: 'X', country: 'US' },
      },
      '/shippingAddress/street',
    ),
    rejectedCase(
      'a NUL character in a metadata value',
      json({ ...validEvent(), metadata: { note: 'a\u0000b' } }),
      'EVENT_REJECTED_BY_DATABASE',
      { mentions: 'SQLSTATE 22P05' },
    ),
    rejectedCase(
      'a NUL character in a metadata key',
      json({ ...validEvent(), metadata: { 'a\u0000b': 1 } }),
      'EVENT_REJECTED_BY_DATABASE',
      { mentions: 'SQLSTATE 22P05' },
    ),
  );

  // Text and instants Postgres would refuse or change: refused by the schema, naming the field.
  add(
    violation(
      'a lone surrogate (\\ud800) in the productName',
      { ...validEvent(), productName: 'Head\ud800phones' },
      '/productName',
    ),
    violation(
      'a timestamp in year 0000 (no such year in Postgres)',
      { ...validEvent(), timestamp: '0000-06-15T12:00:00Z' },
      '/timestamp',
    ),
    violation(
      'a leap second, which Postgres moves to the next minute',
      { ...validEvent(), timestamp: '2025-06-30T23:59:60Z' },
      '/timestamp',
    ),
  );

  // Valid to the schema, refused by Postgres.
  add(
    rejectedCase(
      'a lone surrogate (\\udc00) in a metadata value',
      json({ ...validEvent(), metadata: { note: 'a\udc00b' } }),
      'EVENT_REJECTED_BY_DATABASE',
      { mentions: 'SQLSTATE 22' },
    ),
  );

  // Event ids used twice.
  const original = validEvent();
  const changed = { ...original, price: 1.01 };
  const twice = validEvent();
  const reordered = validEvent();
  const reorderedBack = Object.fromEntries(Object.entries(reordered).reverse());
  const withAddress = fullV2Event();
  const otherAddress = {
    ...withAddress,
    shippingAddress: { street: '2 Other Rd', city: 'Lyon', country: 'France' },
  };
  add(
    one('the same eventId twice with different content', [
      message(json(original), storedAs(original), original),
      message(json(changed), deadLettered('EVENT_ID_CONFLICT'), changed),
    ]),
    one('the same event twice, identical', [
      message(json(twice), storedAs(twice), twice),
      message(json(twice), storedAs(twice), twice),
    ]),
    one('the same event twice, its keys in another order', [
      message(json(reordered), storedAs(reordered), reordered),
      message(json(reorderedBack), storedAs(reordered), reorderedBack),
    ]),
    one('the same v2 event twice with different shipping addresses', [
      message(json(withAddress), storedAs(withAddress), withAddress),
      message(json(otherAddress), deadLettered('EVENT_ID_CONFLICT'), otherAddress),
    ]),
  );

  // Other event types: skipped, neither stored nor dead-lettered.
  const viewed = { ...validEvent(), eventType: 'product.viewed' };
  const shouted = { ...validEvent(), eventType: 'PRODUCT.PURCHASED' };
  const abandoned = { eventId: `evt_${hex(8)}`, eventType: 'cart.abandoned', price: 'free' };
  add(
    one('an unknown event type', [message(json(viewed), skipped, viewed)]),
    one('the event type in capitals', [message(json(shouted), skipped, shouted)]),
    one('an unknown event type with fields of any shape', [
      message(json(abandoned), skipped, abandoned),
    ]),
  );

  // Hostile but valid: stored exactly.
  const protoEvent = validEvent();
  const protoMetadata = withOwnProto({ polluted: 'yes', isAdmin: true }, { source: 'web' });
  const protoText = withRawValue(
    protoEvent,
    'metadata',
    '{"__proto__":{"polluted":"yes","isAdmin":true},"source":"web"}',
  );
  const protoValue = Buffer.concat([
    Buffer.from('{"__proto__":{"polluted":"yes"},'),
    protoText.subarray(1),
  ]);
  const protoContent = { ...protoEvent, metadata: protoMetadata };
  const constructorEvent = {
    ...validEvent(),
    constructor: { prototype: { polluted: 'yes' } },
    hasOwnProperty: 'not a function',
    toString: 'not a function',
    valueOf: 'not a function',
    metadata: {
      constructor: { prototype: { polluted: 'yes' } },
      prototype: { polluted: 'yes' },
      hasOwnProperty: 'not a function',
      toJSON: 'not a function',
    },
  };
  const injection = {
    ...validEvent(),
    eventId: `evt_'); DROP TABLE product_events; --${hex(4)}`,
    userId: "' OR '1'='1",
    productId: 'prod_1; DELETE FROM shipping_addresses; --',
    productName: `Robert'); DROP TABLE product_events;-- $$ ?? ? :name \\' \\" ; $1`,
    category: '"; TRUNCATE knex_migrations; --',
    metadata: {
      "'; DROP TABLE product_events; --": "1' UNION SELECT usename, passwd FROM pg_shadow --",
      '?': '??',
      $1: ':binding',
      '\\x00': '\\u0000',
    },
  };
  const unicode = {
    ...validEvent(),
    userId: '用户_ユーザー_사용자',
    productId: 'ｐｒｏｄ＿全角',
    productName:
      '🎧 Kopfhörer – 無線イヤホン 👩‍👩‍👧‍👦 🇩🇪 שלום مرحبا e\u0301 \u202eevil\u202c zero\u200bwidth',
    category: 'Électronique & Ünïcödé',
    metadata: {
      ключ: 'значение',
      'emoji🔑': '🙂🙃',
      'tab\tnew\nline': 'quote" backslash\\',
      nfc: '\u00e9',
      nfd: 'e\u0301',
    },
  };
  const maxValues = { ...validEvent(), price: 99_999_999.99, quantity: 2_147_483_647 };
  const escapes = { ...validEvent(), productName: 'Café 😀 ☃ / "q"' };
  const priceZero = { ...validEvent(), price: 0 };
  const priceExponent = { ...validEvent(), price: 150 };
  const duplicateKey = { ...validEvent(), price: 22.22 };
  const withNulls = {
    ...validEvent(),
    category: null,
    metadata: null,
    discountCode: null,
    discountAmount: null,
    taxAmount: null,
    shippingAddress: null,
  };
  const spoofedValid = validEvent();
  const everyField = fullV2Event();
  const bomEvent = validEvent();
  add(
    one('"__proto__" keys at the top level and in metadata', [
      message(protoValue, storedAs(protoContent), protoContent),
    ]),
    storedCase(
      '"constructor", "prototype", "hasOwnProperty" and "toString" keys',
      constructorEvent,
    ),
    storedCase('SQL-injection strings in every text field and in metadata', injection),
    storedCase('emoji, CJK, RTL, combining and zero-width characters', unicode),
    storedCase('a productName of 500 astral-plane characters (2 000 bytes)', {
      ...validEvent(),
      productName: '𝄞'.repeat(500),
    }),
    storedCase('the largest price and quantity the columns hold', maxValues),
    storedCase('a timestamp with an offset and microseconds', {
      ...validEvent(),
      timestamp: '2024-02-29T23:59:59.123456+05:30',
    }),
    storedCase('a timestamp whose UTC instant is in year 10000', {
      ...validEvent(),
      timestamp: '9999-12-31T23:59:59-14:00',
    }),
    storedCase('unknown extra fields (tolerant reader)', {
      ...validEvent(),
      couponStack: [1, 2, 3],
      'x-trace': 'abc',
      nested: { deep: true },
    }),
    storedCase('explicit nulls in every optional field', withNulls),
    storedCase('metadata nested 32 levels deep (the limit)', {
      ...validEvent(),
      metadata: nested(31),
    }),
    rejectedCase(
      'metadata nested 1 000 levels deep',
      json({ ...validEvent(), metadata: nested(1000) }),
      'EVENT_TOO_LARGE',
      { mentions: 'EVENT_MAX_DEPTH' },
    ),
    violation(
      'metadata nested 40 levels deep (under EVENT_MAX_DEPTH, over the schema)',
      { ...validEvent(), metadata: nested(40) },
      'metadata',
    ),
    storedCase('a new-shape event with every field, the address without state and zip', everyField),
    one('unicode escapes (\\u00e9, a surrogate pair, \\/)', [
      message(
        withRawValue(escapes, 'productName', '"Caf\\u00e9 \\ud83d\\ude00 \\u2603 \\/ \\"q\\""'),
        storedAs(escapes),
        escapes,
      ),
    ]),
    one('a price of negative zero', [
      message(withRawValue(priceZero, 'price', '-0'), storedAs(priceZero), priceZero),
    ]),
    one('a price written with an exponent (1.5E2)', [
      message(
        withRawValue(priceExponent, 'price', '1.5E2'),
        storedAs(priceExponent),
        priceExponent,
      ),
    ]),
    one('a duplicate key in the JSON (the last one wins)', [
      message(
        withRawValue(duplicateKey, 'price', '11.11,"price":22.22'),
        storedAs(duplicateKey),
        duplicateKey,
      ),
    ]),
    one('a UTF-8 byte-order mark before the JSON', [
      message(
        Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json(bomEvent)]),
        storedAs(bomEvent),
        bomEvent,
      ),
    ]),
    one('a valid event carrying spoofed dlq.* headers', [
      message(json(spoofedValid), storedAs(spoofedValid), spoofedValid, {
        headers: { 'dlq.error.code': 'EVENT_MALFORMED', 'dlq.error.reason': 'spoofed' },
      }),
    ]),
  );

  // Stored by a v2 consumer without discount or address: those are the event's own facts, so a
  // later copy that adds them is another event, never merged into the row.
  const plain = validEvent();
  const plainPlusV2 = {
    ...plain,
    discountCode: 'LATE10',
    discountAmount: 1.5,
    shippingAddress: { street: '9 Late Lane', city: 'Oslo', country: 'Norway' },
  };
  add(
    storedCase('an original-shape event, stored by a v2 consumer', plain),
    one(
      'the same eventId later with a discount and an address added (finding: merged into the row)',
      [message(json(plainPlusV2), deadLettered('EVENT_ID_CONFLICT'), plainPlusV2)],
      2,
    ),
  );

  // Replays once the first copies are stored: the database decides, not the batch. Each stored
  // event is replayed once here (see the test `a redelivery ... after a conflicting copy`).
  const otherQuantity = { ...injection, quantity: injection.quantity + 1 };
  const movedAddress = {
    ...withAddress,
    shippingAddress: { street: '3 New Street', city: 'Nice', country: 'France' },
  };
  add(
    one(
      'an event stored earlier, sent again with another quantity',
      [message(json(otherQuantity), deadLettered('EVENT_ID_CONFLICT'), otherQuantity)],
      2,
    ),
    one(
      'an event stored earlier, sent again identically (a redelivery)',
      [message(json(unicode), storedAs(unicode), unicode)],
      2,
    ),
    one(
      'a v2 event stored earlier, sent again with another shipping address',
      [message(json(movedAddress), deadLettered('EVENT_ID_CONFLICT'), movedAddress)],
      2,
    ),
    one(
      'a v2 event stored earlier, sent again identically',
      [message(json(everyField), storedAs(everyField), everyField)],
      2,
    ),
  );

  // About 1 MB each (the broker takes up to 1 048 588 bytes a record batch). Last in phase 1, so no
  // other dead letter shares the consumer batch of the dead-lettered one: a batch's dead letters
  // go out in one request, and dead letters over the limit together are a failure of their own
  // (hostile-input.test.ts, `the consumer survives`).
  const bigName = validEvent();
  const bigNameValue = { ...bigName, productName: '' };
  bigNameValue.productName = textOfBytes(oneMegabyte - json(bigNameValue).length);
  const bigBlob = validEvent();
  const bigBlobValue = { ...bigBlob, metadata: { blob: '' } };
  bigBlobValue.metadata.blob = textOfBytes(oneMegabyte - json(bigBlobValue).length);
  add(
    rejectedCase(
      'a 1 MB productName (1 000 000 bytes)',
      json(bigNameValue),
      'EVENT_SCHEMA_VIOLATION',
      { mentions: '/productName', content: bigNameValue },
    ),
    storedCase('a 1 MB metadata blob (1 000 000 bytes)', bigBlobValue),
  );
  return cases;
}
