// fast-check generators of near-copies: a valid product.purchased event and a copy of it with the
// same eventId and exactly ONE stored field changed, in a way Postgres sees as a different value (a
// different instant, numeric value, jsonb value or text; a value added or taken away). By the one
// rule of "the same event" (docs/stored-exactly.md) every such copy is another event: it must be
// EVENT_ID_CONFLICT, whichever column it differs in. A comparison that leaves one column out lets
// the copies that differ only there through, and the property of that field fails.
import fc from 'fast-check';

/** An event as a JSON object: the values a producer would send. */
export type EventObject = Record<string, unknown>;
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Text Postgres stores as sent: no U+0000, no lone surrogate (graphemes have none). */
const storableText = (maxLength: number) =>
  fc
    .string({ minLength: 1, maxLength, unit: 'grapheme' })
    .filter((text) => !text.includes('\u0000'));

/** Text one character away from `text`: one appended, or the last one replaced. */
const nearText = (text: string) =>
  fc
    .tuple(fc.boolean(), fc.string({ minLength: 1, maxLength: 1, unit: 'grapheme' }))
    .map(([append, other]) =>
      append ? `${text}${other}` : `${[...text].slice(0, -1).join('')}${other}`,
    )
    .filter((changed) => changed !== text && changed.length > 0 && !changed.includes('\u0000'));

/** An optional text field: the value may appear, go, or change. */
const nearOptionalText = (value: unknown, maxLength: number) =>
  typeof value === 'string'
    ? fc.oneof(fc.constant(null), nearText(value))
    : storableText(maxLength).map((text): string | null => text);

const cents = fc.integer({ min: 0, max: 9_999_999_999 });
const fromCents = (amount: number) => amount / 100;
/** Another numeric(10,2) value: a cent or more away, still in range. */
const nearMoney = (value: number) =>
  fc.integer({ min: 1, max: 100_000 }).map((delta) => {
    const amount = Math.round(value * 100);
    return fromCents(amount + delta <= 9_999_999_999 ? amount + delta : amount - delta);
  });
const nearOptionalMoney = (value: unknown) =>
  typeof value === 'number'
    ? fc.oneof(fc.constant(null), nearMoney(value))
    : cents.map((amount): number | null => fromCents(amount));

const pad = (value: number, width: number) => String(value).padStart(width, '0');
const minInstantUs = Date.UTC(1900, 0, 1) * 1000;
const maxInstantUs = Date.UTC(2100, 0, 1) * 1000;

/** RFC 3339 text of an instant in microseconds, in UTC, with all six fractional digits. */
function timestampOf(instantUs: number): string {
  const ms = Math.floor(instantUs / 1000);
  const iso = new Date(ms).toISOString(); // 1900-2100: always YYYY-MM-DDTHH:MM:SS.mmmZ
  return `${iso.slice(0, 23)}${pad(instantUs - ms * 1000, 3)}Z`;
}
const instantOf = (timestamp: string) =>
  Date.parse(timestamp.slice(0, 23) + 'Z') * 1000 + Number(timestamp.slice(23, 26));

/** Another instant, from a microsecond to days away. */
const nearTimestamp = (timestamp: string) =>
  fc
    .oneof(fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: 1, max: 400_000_000_000 }))
    .map((delta) => {
      const instant = instantOf(timestamp);
      return timestampOf(instant + delta < maxInstantUs ? instant + delta : instant - delta);
    });

// `__proto__` as a member name is data in JSON, but an assignment would set a prototype instead.
const memberName = storableText(6).filter((name) => name !== '__proto__');

const metadataValue: fc.Arbitrary<Json> = fc.letrec<{ value: Json; object: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    storableText(8),
    fc.boolean(),
    fc.constant(null),
    tie('object'),
    fc.array(tie('value'), { maxLength: 3 }),
  ),
  object: fc.dictionary(memberName, tie('value'), { maxKeys: 3 }),
})).object;

/** The containers (objects and arrays) of a JSON value, the root first. */
function containers(value: Json): Json[] {
  const found: Json[] = [];
  const pending: Json[] = [value];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (next === null || typeof next !== 'object') continue;
    found.push(next);
    pending.push(...Object.values(next));
  }
  return found;
}

/** A leaf made different, as jsonb compares values: a number is another number, and so on. */
function changedLeaf(leaf: Json): Json {
  if (typeof leaf === 'number') return Number.isSafeInteger(leaf) ? leaf + 1 : 'changed';
  if (typeof leaf === 'string') return `${leaf}!`;
  if (typeof leaf === 'boolean') return !leaf;
  if (leaf === null) return 0;
  return null; // a container replaced by null
}

/**
 * Metadata changed in one place, anywhere in its tree: a leaf changed, a member added or removed,
 * an array item added; or the whole value set or taken away.
 */
const nearMetadata = (metadata: unknown) => {
  if (metadata === null || metadata === undefined) return metadataValue;
  const copy = () => JSON.parse(JSON.stringify(metadata)) as Json;
  return fc
    .tuple(fc.nat(), fc.nat(), fc.constantFrom('leaf', 'add', 'remove', 'drop'), memberName)
    .map(([which, member, how, key]): Json => {
      if (how === 'drop') return null;
      const root = copy();
      const all = containers(root);
      const target = all[which % all.length] as Json[] | Record<string, Json>;
      if (Array.isArray(target)) {
        if (how === 'add' || target.length === 0) target.push(key);
        else if (how === 'remove') target.splice(member % target.length, 1);
        else target[member % target.length] = changedLeaf(target[member % target.length] ?? null);
        return root;
      }
      const keys = Object.keys(target);
      const name = keys[member % Math.max(1, keys.length)];
      if (how === 'add' || name === undefined) {
        // A new member, or a changed one where the name is already taken.
        target[key] = Object.hasOwn(target, key) ? changedLeaf(target[key] ?? null) : 0;
      } else if (how === 'remove') delete target[name];
      else target[name] = changedLeaf(target[name] ?? null);
      return root;
    });
};

const addressOf = fc.record(
  {
    street: storableText(40),
    city: storableText(20),
    state: fc.option(storableText(10), { nil: null }),
    zipCode: fc.option(storableText(10), { nil: null }),
    country: storableText(20),
  },
  { requiredKeys: ['street', 'city', 'country'] },
);

/** A valid event; `v2` adds some of the version 2 fields. */
export const eventOf = (eventId: string, v2: boolean): fc.Arbitrary<EventObject> =>
  fc.record(
    {
      eventId: fc.constant(eventId),
      eventType: fc.constant('product.purchased'),
      timestamp: fc.integer({ min: minInstantUs, max: maxInstantUs - 1 }).map(timestampOf),
      userId: storableText(20),
      productId: storableText(20),
      productName: storableText(40),
      category: fc.option(storableText(20), { nil: null }),
      price: cents.map(fromCents),
      currency: fc.stringMatching(/^[A-Z]{3}$/),
      quantity: fc.integer({ min: 1, max: 2_147_483_647 }),
      metadata: fc.option(metadataValue, { nil: null }),
      ...(v2
        ? {
            discountCode: fc.option(storableText(20), { nil: null }),
            discountAmount: fc.option(cents.map(fromCents), { nil: null }),
            taxAmount: fc.option(cents.map(fromCents), { nil: null }),
            shippingAddress: fc.option(addressOf, { nil: null }),
          }
        : {}),
    },
    {
      requiredKeys: [
        'eventId',
        'eventType',
        'timestamp',
        'userId',
        'productId',
        'productName',
        'price',
        'currency',
        'quantity',
      ],
    },
  );

/** A copy of the event with one field changed. */
export type Change = (event: EventObject) => fc.Arbitrary<EventObject>;
const set =
  (field: string, near: (value: unknown) => fc.Arbitrary<unknown>): Change =>
  (event) =>
    near(event[field]).map((value) => ({ ...event, [field]: value }));
const setAddress =
  (field: string, near: (value: unknown) => fc.Arbitrary<unknown>): Change =>
  (event) => {
    const address = (event['shippingAddress'] ?? null) as Record<string, unknown> | null;
    // An event without an address gets one: the address as a whole is the field that changed.
    if (address === null) return addressOf.map((added) => ({ ...event, shippingAddress: added }));
    return near(address[field]).map((value) => ({
      ...event,
      shippingAddress: { ...address, [field]: value },
    }));
  };

/** Every stored field an incoming copy can change, and how to change it by one value. */
export const originalFieldChanges: Readonly<Record<string, Change>> = {
  timestamp: set('timestamp', (value) => nearTimestamp(String(value))),
  userId: set('userId', (value) => nearText(String(value))),
  productId: set('productId', (value) => nearText(String(value))),
  productName: set('productName', (value) => nearText(String(value))),
  category: set('category', (value) => nearOptionalText(value, 20)),
  price: set('price', (value) => nearMoney(Number(value))),
  currency: set('currency', (value) =>
    fc.stringMatching(/^[A-Z]{3}$/).filter((code) => code !== value),
  ),
  quantity: set('quantity', (value) =>
    fc
      .integer({ min: 1, max: 1_000 })
      .map((delta) =>
        Number(value) + delta <= 2_147_483_647 ? Number(value) + delta : Number(value) - delta,
      ),
  ),
  metadata: set('metadata', nearMetadata),
};

export const v2FieldChanges: Readonly<Record<string, Change>> = {
  discountCode: set('discountCode', (value) => nearOptionalText(value, 20)),
  discountAmount: set('discountAmount', nearOptionalMoney),
  taxAmount: set('taxAmount', nearOptionalMoney),
  'shippingAddress (added or taken away)': (event) =>
    event['shippingAddress'] === null || event['shippingAddress'] === undefined
      ? addressOf.map((added) => ({ ...event, shippingAddress: added }))
      : fc.constant({ ...event, shippingAddress: null }),
  'shippingAddress.street': setAddress('street', (value) => nearText(String(value))),
  'shippingAddress.city': setAddress('city', (value) => nearText(String(value))),
  'shippingAddress.state': setAddress('state', (value) => nearOptionalText(value, 10)),
  'shippingAddress.zipCode': setAddress('zipCode', (value) => nearOptionalText(value, 10)),
  'shippingAddress.country': setAddress('country', (value) => nearText(String(value))),
};
